"""The federated forecasting task: client windows, local FedAvg / FedProx / DP-SGD rounds,
evaluation consistent with the centralized forecaster, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from groupbuy_ml.federated.forecast_task import CovariateMismatchError, ForecastTask
from groupbuy_ml.federated.task import LocalTraining, PrivacySettings

WEEKLY = np.array([0.8, 0.9, 1.0, 1.0, 1.2, 1.6, 0.5])


class FrameSource:
    """A panel source over an in-memory frame."""

    name = "frame"

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def load(self) -> pd.DataFrame:
        return self.frame.copy()

    def fingerprints(self) -> dict[str, str]:
        return {}


def weekly_panel(locations: int = 4, days: int = 70) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", periods=days)
    frames = []
    for loc in range(locations):
        promo = (rng.random(days) < 0.2).astype(np.int8)
        units = rng.poisson((5 + 5 * loc) * WEEKLY[dates.dayofweek] * (1 + promo))
        frames.append(pd.DataFrame({"location_id": loc, "product_id": "p", "date": dates,
                                    "units": units.astype(float), "promo": promo,
                                    "is_open": np.int8(1)}))
    return pd.concat(frames, ignore_index=True)


def make_task(**kwargs) -> ForecastTask:
    params = dict(covariates=["promo", "is_open"], num_clients=2, scheme="location",
                  horizon=7, exclude_last_days=7, encoder_length=14, hidden_size=8,
                  context_size=4, decoder_hidden=8, seed=0)
    params.update(kwargs)
    return ForecastTask(FrameSource(weekly_panel()), **params)


def test_client_windows_never_touch_the_excluded_test_window() -> None:
    task = make_task()
    assert task.panel()["date"].max() == pd.Timestamp("2024-03-03")  # day 63 of 70
    data = task.load_client(1, 2)
    assert data.panel["location_id"].unique().tolist() == [1, 3]  # packed: 0,2 | 1,3
    # per series: 63 days; eval = the last 7; training decoders end before them
    assert data.num_eval_examples == 2
    assert data.num_train_examples == 2 * (63 - 7 - 14 - 7 + 1)
    assert data.history["date"].max() == pd.Timestamp("2024-02-25")
    last_train_target = data.train_origins.max() + 7
    assert data.panel["date"].iloc[last_train_target] == pd.Timestamp("2024-02-25")


def test_fedavg_round_learns_and_reports() -> None:
    task = make_task()
    data = task.load_client(0, 2)
    model = task.build_model()
    before = task.evaluate(model, data)
    metrics = task.train(model, data, LocalTraining(epochs=5, lr=1e-2, batch_size=8), None, {})
    after = task.evaluate(model, data)
    assert set(metrics) >= {"train_loss", "num-examples", "local_steps"}
    assert metrics["num-examples"] == data.num_train_examples
    assert {"loss", "pinball_mean", "rmsse", "wape", "num-examples"} <= set(after)
    assert after["pinball_mean"] < before["pinball_mean"]


def test_fedprox_keeps_the_model_near_the_global_one() -> None:
    task = make_task()
    data = task.load_client(0, 2)
    start = task.build_model().state_dict()

    def drift(mu: float) -> float:
        model = task.build_model()
        task.train(model, data, LocalTraining(epochs=3, lr=1e-2, batch_size=8,
                                              proximal_mu=mu), None, {})
        return sum(float(((v - start[k]) ** 2).sum()) for k, v in model.state_dict().items())

    assert drift(10.0) < 0.5 * drift(0.0)


def test_dp_round_reports_epsilon() -> None:
    task = make_task()
    data = task.load_client(0, 2)
    state: dict[str, float] = {}
    privacy = PrivacySettings(target_epsilon=8.0, target_delta=1e-5, total_rounds=2)
    model = task.build_model()
    names = list(model.state_dict())
    first = task.train(model, data, LocalTraining(batch_size=16), privacy, state)
    second = task.train(model, data, LocalTraining(batch_size=16, server_round=2), privacy,
                        state)
    assert 0 < first["epsilon"] < second["epsilon"] <= 8.0 and second["delta"] == 1e-5
    assert list(model.state_dict()) == names  # DP and non-DP models share parameter names
    with pytest.raises(ValueError, match="proximal_mu"):
        task.train(model, data, LocalTraining(proximal_mu=0.1), privacy, {})


def test_evaluation_matches_the_centralized_forecaster() -> None:
    task = make_task()
    data = task.load_client(0, 2)
    model = task.build_model()
    task.train(model, data, LocalTraining(epochs=2, lr=1e-2, batch_size=8), None, {})
    scored = task.forecast_frame(model, data)
    eval_rows = data.panel.loc[data.panel["date"] > data.history["date"].max()]
    forecaster = task.forecaster_from(model.state_dict())
    forecast = forecaster.predict(data.history, eval_rows.drop(columns="units"))
    np.testing.assert_allclose(forecast["prediction"], scored["prediction"], rtol=1e-5)


def test_clear_errors() -> None:
    with pytest.raises(CovariateMismatchError, match=r"client 0's data lacks .*\['price'\]"):
        make_task(covariates=["promo", "price"]).load_client(0, 2)
    assert issubclass(CovariateMismatchError, ValueError)
    with pytest.raises(ValueError, match="num_clients=2"):
        make_task().load_client(0, 3)
    with pytest.raises(ValueError, match="no training window"):
        make_task(encoder_length=60).load_client(0, 2)
    assert make_task().describe()["horizon"] == 7
    assert isinstance(make_task().build_model(), torch.nn.Module)


def test_task_configs_build(tmp_path) -> None:
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    from groupbuy_ml.cli.hydra_app import config_dir
    from groupbuy_ml.federated.recommend_task import RecommendTask

    folder = config_dir() / "federated" / "task"
    built = {}
    for name in ("forecast_rossmann", "forecast_market", "recommend_market"):
        root = OmegaConf.create({"paths": {"market_dir": str(tmp_path / "market")},
                                 "task": OmegaConf.load(folder / f"{name}.yaml")})
        built[name] = instantiate(root.task, _convert_="all")  # builds, loads no data
    assert built["forecast_rossmann"].horizon == 42
    assert built["forecast_rossmann"].describe()["group_by"] == ["store_type", "assortment"]
    assert built["forecast_market"].covariates[0] == "price"
    assert isinstance(built["recommend_market"], RecommendTask)
