"""TFT and DeepAR-LSTM: quantiles, history, pickling, determinism, cold start, stateless predict."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.forecasting import LSTMForecaster, TFTForecaster, holdout_split

from .conftest import make_panel

BUDGET = {"horizon": 7, "encoder_length": 14, "max_epochs": 2, "limit_train_batches": 4,
          "batch_size": 32, "hidden_size": 8, "seed": 3}


@pytest.fixture(scope="module")
def split() -> tuple[pd.DataFrame, pd.DataFrame]:
    return holdout_split(make_panel(n_days=70, promo_effect=1.0, seed=2), 7)


@pytest.fixture(scope="module", params=[TFTForecaster, LSTMForecaster])
def fitted(request, split, tmp_path_factory):
    cwd = os.getcwd()
    work = tmp_path_factory.mktemp("cwd")
    os.chdir(work)
    try:
        model = request.param(**BUDGET).fit(split[0])
    finally:
        os.chdir(cwd)
    assert list(Path(work).iterdir()) == []  # Lightning wrote nothing into the working folder
    return model


def test_quantile_forecast_and_history(fitted, split) -> None:
    train, test = split
    forecast = fitted.predict(train, test.drop(columns="units"))
    assert len(forecast) == len(test) and not forecast["cold_start"].any()
    q = forecast[["q0.1", "q0.5", "q0.9"]].to_numpy()
    assert np.isfinite(q).all() and (np.diff(q, axis=1) >= 0).all() and (q >= 0).all()
    assert [h["epoch"] for h in fitted.history_] == [1.0, 2.0][: len(fitted.history_)]
    assert {"train_loss", "val_loss"} <= set(fitted.history_[0])


def test_pickle_round_trip_predicts_the_same(fitted, split) -> None:
    train, test = split
    again = pickle.loads(pickle.dumps(fitted))
    a = fitted.predict(train, test.drop(columns="units"))
    b = again.predict(train, test.drop(columns="units"))
    pd.testing.assert_frame_equal(a, b)


def test_same_seed_same_forecast(split) -> None:
    train, test = split
    first = TFTForecaster(**BUDGET).fit(train).predict(train, test.drop(columns="units"))
    second = TFTForecaster(**BUDGET).fit(train).predict(train, test.drop(columns="units"))
    pd.testing.assert_frame_equal(first, second)


def test_cold_start_new_pickup_point_and_product(fitted, split) -> None:
    train, test = split
    future = test.drop(columns="units")
    new_point = future[future["location_id"] == 0].assign(location_id=42)
    new_product = future[future["product_id"] == "sku0"].assign(product_id="sku_new")
    forecast = fitted.predict(train, pd.concat([future, new_point, new_product]))
    assert forecast["cold_start"].sum() == len(new_point) + len(new_product)
    assert forecast[["prediction", "q0.1", "q0.9"]].notna().all().all()


def test_stateless_predict_refits_nothing_and_needs_only_the_encoder_window(
        fitted, split, monkeypatch) -> None:
    from pytorch_forecasting import TimeSeriesDataSet
    from pytorch_forecasting.data import GroupNormalizer, NaNLabelEncoder

    train, test = split
    model = pickle.loads(pickle.dumps(fitted))  # what serving loads
    calls = []
    original = TimeSeriesDataSet.from_parameters.__func__

    def counting(cls, *args, **kwargs):
        calls.append(1)
        return original(cls, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("an encoder or normaliser was fitted again at predict time")

    label_fit = NaNLabelEncoder.fit

    def extend_only(self, y, overwrite=True):  # pf's internal group index may only grow
        if overwrite:
            refuse()
        return label_fit(self, y, overwrite=False)

    monkeypatch.setattr(TimeSeriesDataSet, "from_parameters", classmethod(counting))
    monkeypatch.setattr(NaNLabelEncoder, "fit", extend_only)
    monkeypatch.setattr(GroupNormalizer, "fit", refuse)
    recent = train.groupby(["location_id", "product_id"]).tail(BUDGET["encoder_length"])
    full = model.predict(train, test.drop(columns="units"))
    window = model.predict(recent, test.drop(columns="units"))
    served = model.predict(test.drop(columns="units"))  # the encoder window kept at fit
    assert len(calls) == 3  # one dataset per call, for all 6 series at once
    if isinstance(model, TFTForecaster):  # DeepAR samples: equal only in distribution
        pd.testing.assert_frame_equal(full, window)
        pd.testing.assert_frame_equal(full, served)


def test_bad_input_is_named(fitted, split) -> None:
    train, test = split
    with pytest.raises(ValueError, match="lacks required column"):
        fitted.predict(train, test.drop(columns=["units", "price"]))
    with pytest.raises(ValueError, match="horizon"):
        longer = pd.concat([test, test.assign(date=test["date"] + pd.Timedelta(days=7))])
        fitted.predict(train, longer.drop(columns="units"))


def test_target_scales_belong_to_their_series() -> None:
    """Regression: an add_nan encoder on a group id once shifted codes and gave every sample
    the target scale of another series (forecasts near 0 for large series)."""
    from groupbuy_ml.forecasting.neural.datamodule import PanelDataModule

    panel = make_panel(n_locations=3, n_products=2, n_days=60, seed=4)
    level = panel.groupby(["location_id", "product_id"]).ngroup().map(
        {0: 1.0, 1: 10.0, 2: 100.0, 3: 1000.0, 4: 3.0, 5: 300.0})
    panel["units"] = panel["units"] * level.to_numpy()
    training, _ = PanelDataModule(horizon=7, encoder_length=14).setup(panel)
    x, _ = next(iter(training.to_dataloader(train=False, batch_size=256)))
    index = training.x_to_index(x)
    means = panel.assign(location_id=panel["location_id"].astype(str)).groupby(
        ["location_id", "product_id"])["units"].mean()
    expected = means.reindex(pd.MultiIndex.from_frame(index[["location_id", "product_id"]]))
    ratio = x["target_scale"][:, 0].numpy() / expected.to_numpy()
    assert np.all((ratio > 0.5) & (ratio < 2.0))
