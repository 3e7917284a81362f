"""The global direct LightGBM forecaster and its features."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.forecasting import (
    FeatureSpec,
    LightGBMForecaster,
    SeasonalNaive,
    build_features,
    direct_lags,
    evaluate_forecast,
    holdout_split,
)
from groupbuy_ml.forecasting.series import sort_panel

HORIZON = 14
SMALL = dict(
    horizon=HORIZON, learning_rate=0.1, num_leaves=15, n_estimators=300, min_data_in_leaf=10,
    early_stopping_rounds=20, validation_days=14, seed=7, num_threads=1,
)


@pytest.fixture(scope="module")
def split(promo_panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return holdout_split(promo_panel, horizon=HORIZON)


@pytest.fixture(scope="module")
def fitted(split) -> LightGBMForecaster:
    return LightGBMForecaster(**SMALL, quantiles=[0.1, 0.5, 0.9]).fit(split[0])


@pytest.fixture(scope="module")
def forecast(fitted, split) -> pd.DataFrame:
    train, test = split
    return fitted.predict(train, test.drop(columns="units"))


def test_direct_lags_never_below_horizon() -> None:
    assert direct_lags(7) == (7, 8, 9, 10, 11, 12, 13, 14, 21, 28, 35)
    assert direct_lags(10)[:7] == tuple(range(10, 17)) and min(direct_lags(10, span=14)) == 10
    assert 14 in direct_lags(10) and 21 in direct_lags(10)
    with pytest.raises(ValueError, match="must all be >= horizon"):
        FeatureSpec.from_panel(pd.DataFrame(columns=["units"]), 7, lags=(3, 7))


def test_features_match_pandas_reference(promo_panel: pd.DataFrame) -> None:
    panel = sort_panel(promo_panel)
    spec = FeatureSpec.from_panel(panel, horizon=HORIZON, windows=(7, 28))
    x = build_features(panel, spec)
    grouped = panel.groupby(["location_id", "product_id"])["units"]
    for k in (14, 20, 42):
        np.testing.assert_allclose(x[f"lag_{k}"], grouped.shift(k), rtol=1e-6)
    shifted = grouped.shift(HORIZON).groupby([panel["location_id"], panel["product_id"]])
    for w in (7, 28):
        ref = shifted.rolling(w, min_periods=1)
        np.testing.assert_allclose(x[f"roll_mean_{w}"], ref.mean().to_numpy(), rtol=1e-5)
        np.testing.assert_allclose(x[f"roll_std_{w}"], ref.std().to_numpy(), rtol=1e-4, atol=1e-5)
    assert x["day_of_week"].tolist()[:3] == [0, 1, 2]  # 2024-01-01 is a Monday
    np.testing.assert_allclose(x["price_relative"].groupby(panel["product_id"]).mean(), 1, 1e-5)
    assert x[["location_id", "product_id", "category"]].notna().all().all()


def test_features_never_read_past_the_origin(promo_panel: pd.DataFrame) -> None:
    panel = sort_panel(promo_panel)
    spec = FeatureSpec.from_panel(panel, horizon=HORIZON)
    origin = pd.Timestamp("2024-03-01")
    scrambled = panel.copy()
    after = scrambled["date"] > origin
    scrambled.loc[after, "units"] = np.random.default_rng(0).poisson(100, after.sum())
    window = (panel["date"] <= origin + pd.Timedelta(days=HORIZON)).to_numpy()
    pd.testing.assert_frame_equal(
        build_features(panel, spec)[window], build_features(scrambled, spec)[window]
    )


def test_beats_seasonal_naive_with_promotions(split, forecast) -> None:
    train, test = split
    naive = SeasonalNaive(7).fit(train).predict(HORIZON)
    gbm_scores = evaluate_forecast(train, test, forecast, season_length=7)
    naive_scores = evaluate_forecast(train, test, naive, season_length=7)
    assert gbm_scores["rmsse"] < 0.5 * naive_scores["rmsse"]
    assert gbm_scores["wape"] < 0.5 * naive_scores["wape"]


def test_forecast_frame(fitted, split, forecast) -> None:
    train, test = split
    assert list(forecast.columns) == [
        "location_id", "product_id", "date", "prediction", "q0.1", "q0.5", "q0.9",
    ]
    assert len(forecast) == len(test) and (forecast["prediction"] >= 0).all()
    q = forecast[["q0.1", "q0.5", "q0.9"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all() and (q >= 0).all()
    coverage = evaluate_forecast(train, test, forecast)["coverage_80"]
    assert 0.5 < coverage <= 1.0
    # a 'units' column in the future frame is ignored
    with_units = fitted.predict(train, test)
    pd.testing.assert_frame_equal(with_units, forecast)


def test_history_records_every_round(fitted) -> None:
    history = fitted.history_
    assert history[0]["epoch"] == 1 and len(history) >= fitted.best_iteration_
    assert len(history) <= fitted.best_iteration_ + SMALL["early_stopping_rounds"]
    assert all({"epoch", "train_loss", "val_loss"} <= set(row) for row in history)
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert set(fitted.quantile_history_) == {0.1, 0.5, 0.9}


def test_deterministic_and_picklable(split, forecast) -> None:
    train, test = split
    again = LightGBMForecaster(**SMALL, quantiles=[0.1, 0.5, 0.9]).fit(train)
    repeat = again.predict(train, test.drop(columns="units"))
    pd.testing.assert_frame_equal(repeat, forecast, check_exact=True)
    restored = pickle.loads(pickle.dumps(again))
    pd.testing.assert_frame_equal(restored.predict(train, test.drop(columns="units")), forecast)


def test_keep_best_iteration_without_refit(split) -> None:
    train, test = split
    model = LightGBMForecaster(**{**SMALL, "objective": "poisson"}, refit=False).fit(train)
    assert model.booster_.best_iteration == model.best_iteration_
    assert len(model.predict(train, test.drop(columns="units"))) == len(test)
    params = model.get_params()
    assert params["objective"] == "poisson" and params["refit"] is False
    assert LightGBMForecaster(**params).get_params() == params


def test_bad_inputs(fitted, split, promo_panel) -> None:
    train, test = split
    future = test.drop(columns="units")
    with pytest.raises(ValueError, match="objective"):
        LightGBMForecaster(objective="huber")
    with pytest.raises(ValueError, match="quantiles"):
        LightGBMForecaster(quantiles=[0.5, 1.0])
    with pytest.raises(RuntimeError, match="not fitted"):
        LightGBMForecaster().predict(train, future)
    with pytest.raises(ValueError, match="more than horizon=14"):
        fitted.predict(*holdout_split(promo_panel, horizon=21))
    with pytest.raises(ValueError, match="after the last history date|duplicated"):
        fitted.predict(train, train.tail(5).drop(columns="units"))
    with pytest.raises(ValueError, match="lacks required column"):
        fitted.predict(train, future.drop(columns="promo"))
    with pytest.raises(ValueError, match="validation_days"):
        LightGBMForecaster(horizon=14, validation_days=200).fit(train)


def test_closed_days_category_fill_and_cold_start(promo_panel: pd.DataFrame) -> None:
    panel = promo_panel.assign(is_open=(promo_panel["date"].dt.dayofweek != 6).astype(int))
    panel.loc[panel["is_open"] == 0, "units"] = 0.0
    train, test = holdout_split(panel, horizon=HORIZON)
    model = LightGBMForecaster(**{**SMALL, "n_estimators": 50}).fit(train)
    first = test[(test["product_id"] == "sku0") & (test["location_id"] == 0)]
    newcomer = first.assign(location_id=99)  # a pickup point without any history
    future = pd.concat([test, newcomer]).drop(columns=["units", "category"])
    out = model.predict(train, future)
    closed = out["date"].dt.dayofweek == 6
    assert (out.loc[closed, "prediction"] == 0).all() and (out.loc[~closed, "prediction"] > 0).all()
    assert len(out) == len(test) + HORIZON
    assert out.loc[out["location_id"] == 99, "prediction"].notna().all()
