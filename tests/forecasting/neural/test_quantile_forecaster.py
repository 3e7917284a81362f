"""MQ-RNN forecaster: hand-checked windows, the forecast frame, DP-ready layers, persistence."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from opacus.layers import DPLSTM

from groupbuy_ml.forecasting.metrics import evaluate_forecast
from groupbuy_ml.forecasting.neural.quantile_forecaster import QuantileRNNForecaster
from groupbuy_ml.forecasting.neural.quantile_rnn import QuantileRNN, pinball
from groupbuy_ml.forecasting.neural.windows import (
    CALENDAR_FEATURES,
    CovariateMismatchError,
    PanelWindows,
)
from groupbuy_ml.forecasting.series import sort_panel
from groupbuy_ml.forecasting.splits import holdout_split


def tiny_panel() -> pd.DataFrame:
    """Two series: units 1..10 with price 2 (then 4 on the last two days), and 8 days of 5s."""
    a = pd.DataFrame({"location_id": 0, "product_id": "a",
                      "date": pd.date_range("2024-01-01", periods=10),
                      "units": np.arange(1.0, 11.0), "price": [2.0] * 8 + [4.0, 4.0]})
    b = pd.DataFrame({"location_id": 1, "product_id": "b",
                      "date": pd.date_range("2024-01-03", periods=8),
                      "units": 5.0, "price": 1.0})
    return sort_panel(pd.concat([a, b], ignore_index=True))


def test_windows_by_hand() -> None:
    w = PanelWindows(tiny_panel(), ["price"], encoder_length=3, horizon=2)
    # series a: rows 0..9, origins 2..7; series b: rows 10..17, origins 12..15
    assert w.training_origins().tolist() == [2, 3, 4, 5, 6, 7, 12, 13, 14, 15]
    assert w.training_origins(holdout=2).tolist() == [2, 3, 4, 5, 12, 13]
    assert w.training_origins(stride=3).tolist() == [4, 7, 12, 15]
    assert w.last_origins().tolist() == [7, 15]
    enc, dec, target, scale = w.gather(np.array([7]))
    # encoder rows 5..7: units 6, 7, 8 -> scale 7; decoder rows 8, 9: units 9, 10
    assert scale.tolist() == [7.0]
    assert torch.allclose(enc[0, :, 0], torch.tensor([6.0, 7.0, 8.0]) / 7)
    assert torch.allclose(enc[0, :, 1], torch.log1p(torch.tensor(7.0)).expand(3))
    assert torch.allclose(target[0], torch.tensor([9.0, 10.0]) / 7)
    price = CALENDAR_FEATURES  # ratio covariate: price / encoder mean price (2) - 1
    assert torch.allclose(dec[0, :, price], torch.tensor([1.0, 1.0]))
    assert torch.allclose(enc[0, :, 2 + price], torch.zeros(3))
    # 2024-01-09 (row 8) is a Tuesday: weekday one-hot at index 1
    assert dec[0, 0, :7].tolist() == [0, 1, 0, 0, 0, 0, 0]
    # an origin one row into series b repeats its first row in the encoder
    enc, *_ = w.gather(np.array([11]))
    assert torch.allclose(enc[0, :, 0], torch.ones(3))
    assert (enc.shape[2], dec.shape[2]) == PanelWindows.feature_sizes(1)


def test_missing_covariate_names_the_column() -> None:
    with pytest.raises(CovariateMismatchError, match=r"lacks covariate column\(s\) \['promo'\]"):
        PanelWindows(tiny_panel(), ["price", "promo"], 3, 2)
    with pytest.raises(ValueError, match="not supported"):
        PanelWindows(tiny_panel(), ["colour"], 3, 2)


def test_pinball_by_hand() -> None:
    q = torch.tensor([0.1, 0.5, 0.9])
    pred = torch.tensor([[[1.0, 2.0, 3.0]]])
    # y = 2: losses 0.1 * 1, 0, 0.1 * 1 -> mean 0.2 / 3
    assert float(pinball(pred, torch.tensor([[2.0]]), q)) == pytest.approx(0.2 / 3)
    assert float(pinball(pred, torch.tensor([[float("nan")]]), q)) == 0.0


def test_network_uses_dplstm_and_shapes() -> None:
    net = QuantileRNN(5, 4, horizon=3, hidden_size=8)
    assert isinstance(net.encoder, DPLSTM)
    out = net(torch.randn(2, 6, 5), torch.randn(2, 3, 4))
    assert out.shape == (2, 3, 3)


@pytest.fixture(scope="module")
def fitted(promo_panel: pd.DataFrame):
    train, test = holdout_split(promo_panel, 7)
    model = QuantileRNNForecaster(horizon=7, encoder_length=14, hidden_size=16,
                                  max_epochs=8, validation_days=7, patience=20, seed=1)
    return model.fit(train), train, test


def test_forecast_frame_and_learning(fitted) -> None:
    model, train, test = fitted
    forecast = model.predict(train, test.drop(columns="units"))
    assert list(forecast.columns) == ["location_id", "product_id", "date", "prediction",
                                      "q0.1", "q0.5", "q0.9"]
    assert len(forecast) == len(test)
    assert (forecast["q0.1"] <= forecast["q0.5"]).all()
    assert (forecast["q0.5"] <= forecast["q0.9"]).all()
    assert (forecast["prediction"] == forecast["q0.5"]).all()
    history = model.history_
    assert [h["epoch"] for h in history] == list(range(1, 9))
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    metrics = evaluate_forecast(train, test, forecast, season_length=7)
    assert 0 < metrics["coverage_80"] <= 1


def test_pickle_and_state_dict_round_trip(fitted) -> None:
    model, train, test = fitted
    future = test.drop(columns="units")
    expected = model.predict(train, future)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(model)).predict(train, future),
                                  expected)
    params = {k: v for k, v in model.get_params().items() if k != "covariates"}
    rebuilt = QuantileRNNForecaster.from_state_dict(model.net_.state_dict(), model.covariates_,
                                                    **params)
    pd.testing.assert_frame_equal(rebuilt.predict(train, future), expected)


def test_closed_days_and_bad_future(fitted) -> None:
    model, train, test = fitted
    future = test.drop(columns="units").assign(is_open=1)
    future.loc[future.index[:3], "is_open"] = 0
    forecast = model.predict(train, future)
    assert (forecast.loc[:2, ["prediction", "q0.1", "q0.9"]] == 0).all().all()
    too_long = pd.concat([future, future.assign(date=future["date"] + pd.Timedelta(days=7))])
    with pytest.raises(ValueError, match="horizon=7"):
        model.predict(train, too_long)
    with pytest.raises(CovariateMismatchError, match="promo"):
        model.predict(train, test.drop(columns=["units", "promo"]))
    with pytest.raises(RuntimeError, match="not fitted"):
        QuantileRNNForecaster().predict(train, future)


def test_too_short_and_bad_arguments(promo_panel: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no training window"):
        QuantileRNNForecaster(horizon=60, encoder_length=60).fit(promo_panel)
    with pytest.raises(ValueError, match="contain 0.5"):
        QuantileRNNForecaster(quantiles=[0.1, 0.9])
