"""The forecasting experiment a Hydra config describes: load, split, fit, evaluate, track.

``groupbuy train experiment=forecast_lightgbm_market`` ends here. Every run is an MLflow run with
the resolved config, git commit, data fingerprint, per-epoch metrics, the metrics on the held-out
window, a fan chart, the forecast table and the fitted model.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from groupbuy_ml.data.schemas.panel import SERIES_KEYS, TARGET
from groupbuy_ml.forecasting.backtest import fit_and_forecast
from groupbuy_ml.forecasting.metrics import evaluate_forecast
from groupbuy_ml.forecasting.plots import fan_chart
from groupbuy_ml.forecasting.splits import holdout_split
from groupbuy_ml.tracking import resolve_tracking, tracked_run

TIMING_METRICS = ("fit_seconds", "predict_seconds")
log = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    """Seed Python's and NumPy's global generators (models take their own seed argument)."""
    random.seed(seed)
    np.random.seed(seed)


def drop_short_series(panel: pd.DataFrame, min_length: int) -> tuple[pd.DataFrame, int]:
    """Drop series with fewer than ``min_length`` rows (a pickup point or product launched during
    the test window has nothing to learn from); returns the panel and how many were dropped,
    which every run logs as ``n_series_too_short``."""
    length = panel.groupby(SERIES_KEYS)[TARGET].transform("size")
    keep = length.to_numpy() >= min_length
    dropped = panel.loc[~keep, SERIES_KEYS].drop_duplicates().shape[0]
    if dropped:
        log.warning("%d series have fewer than %d periods and are left out of this run",
                    dropped, min_length)
    return panel.loc[keep].reset_index(drop=True), dropped


def run_forecast_experiment(cfg: DictConfig) -> dict[str, float]:
    """Train ``cfg.model`` on ``cfg.data`` and score it on the last ``cfg.trainer.horizon``
    periods of every series; returns the metrics (also logged to MLflow).

    Config keys used: ``seed``, ``data`` and ``model`` (built with ``_target_``),
    ``trainer.horizon``, ``trainer.season_length``, ``tracking.{uri, experiment, run_name,
    log_model}``, ``paths.root_dir``.
    """
    seed_everything(int(cfg.seed))
    source = instantiate(cfg.data)
    model = instantiate(cfg.model)
    target = resolve_tracking(cfg.tracking.uri, Path(cfg.paths.root_dir).resolve())
    resolved: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    run_name = cfg.tracking.run_name or f"{type(model).__name__}-{source.name}"
    tags = {"model": type(model).__name__, "dataset": source.name, "task": "forecasting"}
    with tracked_run(cfg.tracking.experiment, run_name, resolved, target,
                     data_fingerprints=source.fingerprints(), tags=tags) as run:
        panel, too_short = drop_short_series(source.load(), int(cfg.trainer.horizon) + 1)
        train, test = holdout_split(panel, int(cfg.trainer.horizon))
        forecast, fit_seconds, predict_seconds = fit_and_forecast(model, train, test)
        metrics = evaluate_forecast(train, test, forecast,
                                    season_length=int(cfg.trainer.season_length))
        metrics.update(fit_seconds=fit_seconds, predict_seconds=predict_seconds,
                       n_train_rows=float(len(train)), n_test_rows=float(len(test)),
                       n_series_too_short=float(too_short))
        if "cold_start" in forecast:  # neural models: rows forecast by the documented fallback
            metrics["n_cold_start_rows"] = float(forecast["cold_start"].sum())
        history = getattr(model, "history_", None)
        if history:
            run.log_history(history)
        run.log_metrics(metrics)
        fig = fan_chart(train, test, forecast)
        run.log_figure(fig, "forecast_fan_chart.png")
        plt.close(fig)
        run.log_table(forecast, "forecast.parquet")
        if cfg.tracking.log_model:
            run.log_python_model(model, name="model")
        metrics["run_id"] = run.run_id  # type: ignore[assignment]
    return metrics
