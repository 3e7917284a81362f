"""Every experiment config runs end to end on a tiny CPU setting, and runs reproduce."""

from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig, open_dict

from groupbuy_ml.cli.hydra_app import compose_config, config_dir
from groupbuy_ml.forecasting.experiment import TIMING_METRICS, run_forecast_experiment
from groupbuy_ml.tracking import resolve_tracking

EXPERIMENTS = sorted(p.stem for p in (config_dir() / "experiment").glob("forecast_*.yaml"))
# same source and model kind as a default-run config (forecast_lightgbm_rossmann,
# forecast_naive_market); the oracle's model has its own test (test_oracle.py)
SLOW = {"forecast_lightgbm_rossmann_full", "forecast_oracle_market"}
CONFIGS = [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in EXPERIMENTS]
TINY_MARKET = {"n_pickup_points": 3, "n_products": 8, "n_days": 70, "seed": 3}


def smoke_config(name: str, root: Path) -> DictConfig:
    cfg = compose_config("train", [f"experiment={name}", "trainer=smoke",
                                   f"paths.root_dir={root}", "data.limit_series=6"])
    with open_dict(cfg):
        if cfg.data._target_.endswith("MarketSource"):
            cfg.data.simulation = {**cfg.data.simulation, **TINY_MARKET}
    return cfg


@pytest.mark.parametrize("name", CONFIGS)
def test_experiment_config_smoke(name: str, tmp_path: Path) -> None:
    metrics = run_forecast_experiment(smoke_config(name, tmp_path))
    assert metrics["test_n_series"] == 6
    assert metrics["test_rmsse"] > 0 and metrics["val_rmsse"] > 0
    assert "rmsse" not in metrics  # no unprefixed metric to choose on by mistake
    client = MlflowClient(resolve_tracking(None, tmp_path).uri)
    run = client.get_run(metrics["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.tags["git.commit"]
    assert any(k.startswith("data.fingerprint.") for k in run.data.params)
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"config.yaml", "forecast_fan_chart.png", "forecast.parquet"} <= artifacts


def test_same_config_and_seed_give_identical_metrics(tmp_path: Path) -> None:
    cfg = smoke_config("forecast_lightgbm_market", tmp_path)
    first = run_forecast_experiment(cfg)
    second = run_forecast_experiment(cfg)
    ignore = {*TIMING_METRICS, "run_id"}
    assert {k: v for k, v in first.items() if k not in ignore} == {
        k: v for k, v in second.items() if k not in ignore}
    assert first["run_id"] != second["run_id"]


def test_lightgbm_logs_per_epoch_losses(tmp_path: Path) -> None:
    metrics = run_forecast_experiment(smoke_config("forecast_lightgbm_market", tmp_path))
    client = MlflowClient(resolve_tracking(None, tmp_path).uri)
    history = client.get_metric_history(metrics["run_id"], "val_loss")
    assert [m.step for m in history] == list(range(1, len(history) + 1))  # boosting rounds
    assert 1 <= len(history) <= 5  # trainer=smoke: at most 5 boosting rounds


def test_drop_short_series_counts_what_it_drops() -> None:
    import pandas as pd

    from groupbuy_ml.forecasting.experiment import drop_short_series

    panel = pd.DataFrame({"location_id": [1, 1, 1, 2], "product_id": [0, 0, 0, 0],
                          "date": pd.date_range("2025-01-01", periods=4), "units": [1.0] * 4})
    kept, dropped = drop_short_series(panel, 3)
    assert dropped == 1 and kept["location_id"].unique().tolist() == [1]
