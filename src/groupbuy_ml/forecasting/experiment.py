"""The forecasting experiment a Hydra config describes: load, split, fit, evaluate, track.

``groupbuy train experiment=forecast_lightgbm_market`` ends here. Every run is an MLflow run with
the resolved config, git commit, data fingerprint, the evaluation protocol (``protocol.id`` tag),
per-epoch metrics, ``val_*`` metrics on the validation window, ``test_*`` metrics on the
test window (:mod:`groupbuy_ml.forecasting.protocol`), a fan chart, the forecast table and the
fitted model.
"""

from __future__ import annotations

import copy
import logging
import random
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from groupbuy_ml.data.schemas.panel import SERIES_KEYS, TARGET, TIME
from groupbuy_ml.errors import ConfigError
from groupbuy_ml.forecasting.backtest import fit_and_forecast
from groupbuy_ml.forecasting.plots import fan_chart
from groupbuy_ml.forecasting.protocol import EvaluationProtocol, Windows
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


def build_protocol(cfg: DictConfig) -> EvaluationProtocol:
    """The run's :class:`EvaluationProtocol`: ``cfg.protocol`` (built with ``_target_``), or,
    for configs without one, the trainer's ``horizon`` / ``validation_days`` /
    ``season_length`` with open days scored."""
    if cfg.get("protocol") is not None:
        return instantiate(cfg.protocol)
    return EvaluationProtocol(horizon=int(cfg.trainer.horizon),
                              validation=int(cfg.trainer.get("validation_days", 0)),
                              season_length=int(cfg.trainer.season_length))


def is_smoke(cfg: DictConfig) -> bool:
    """A smoke run (``trainer=smoke`` or a ``data.limit_series`` subset): never promoted."""
    return bool(cfg.trainer.get("smoke", False)) or cfg.data.get("limit_series") is not None


def check_validation(model: Any, protocol: EvaluationProtocol, windows: Windows) -> None:
    """A model that early-stops on the end of its training data must use exactly the
    protocol's validation window (else it would choose on other dates)."""
    periods = windows.validation[TIME].nunique()
    own = getattr(model, "validation_days", None)
    if own is not None and int(own) != periods:
        raise ConfigError(
            f"model.validation_days={own} but the protocol's validation window has {periods} "
            f"periods ({protocol.validation=}): set both from trainer.validation_days")


def validation_forecast(template: Any, fitted: Any, windows: Windows) -> pd.DataFrame:
    """The forecast of the validation window made from the train window alone: the fitted
    model's own early-stopping forecast when it keeps one (``validation_forecast_``: LightGBM),
    its forecast from the train window when it never trained on the validation window
    (``fits_before_validation``: the neural models), else a copy of the unfitted ``template``
    fitted on ``windows.train`` (the baselines: cheap)."""
    own = getattr(fitted, "validation_forecast_", None)
    if own is not None:
        return own
    periods = windows.validation[TIME].nunique()
    if getattr(fitted, "fits_before_validation", False) and periods <= fitted.horizon:
        return fitted.predict(windows.train, windows.validation.drop(columns=[TARGET]))
    model = copy.deepcopy(template)
    known = windows.train[SERIES_KEYS].drop_duplicates()  # series launched later: not scored
    window = windows.validation.merge(known, on=SERIES_KEYS)
    forecast, _, _ = fit_and_forecast(model, windows.train, window)
    return forecast


def covered_rows(window: pd.DataFrame, forecast: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows of ``window`` that ``forecast`` covers and how many it does not (a series
    younger than the lags at the validation origin has no early-stopping forecast); the
    count is logged as ``val_n_rows_without_forecast``."""
    keys = [*SERIES_KEYS, TIME]
    flag = window[keys].merge(forecast[keys].assign(_hit=True), on=keys, how="left")["_hit"]
    hit = flag.notna().to_numpy()
    return window.loc[hit].reset_index(drop=True), int((~hit).sum())


def run_forecast_experiment(cfg: DictConfig) -> dict[str, float]:
    """Train ``cfg.model`` on ``cfg.data`` under ``cfg.protocol`` and score it; returns the
    metrics (also logged to MLflow): ``val_*`` on the validation window (what sweeps and
    ``groupbuy promote`` choose on) and ``test_*`` on the test window (reported only).

    Config keys used: ``seed``, ``data``, ``model`` and ``protocol`` (built with ``_target_``),
    ``trainer.season_length`` / ``trainer.smoke``, ``tracking.{uri, experiment, run_name,
    log_model}``, ``paths.root_dir``.
    """
    seed_everything(int(cfg.seed))
    source = instantiate(cfg.data)
    model = instantiate(cfg.model)
    protocol = build_protocol(cfg)
    template = copy.deepcopy(model)
    target = resolve_tracking(cfg.tracking.uri, Path(cfg.paths.root_dir).resolve())
    resolved: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    run_name = cfg.tracking.run_name or f"{type(model).__name__}-{source.name}"
    tags = {"model": type(model).__name__, "dataset": source.name, "task": "forecasting",
            "protocol.id": protocol.id, "protocol.horizon": str(protocol.horizon),
            "smoke": str(is_smoke(cfg)).lower()}
    with tracked_run(cfg.tracking.experiment, run_name, resolved, target,
                     data_fingerprints=source.fingerprints(), tags=tags) as run:
        panel, too_short = drop_short_series(source.load(), protocol.horizon + 1)
        windows = protocol.split(panel)
        run.set_tags({f"window.{k}": v for k, v in windows.dates().items()})
        if not windows.validation.empty:
            check_validation(model, protocol, windows)
        history = windows.history
        forecast, fit_seconds, predict_seconds = fit_and_forecast(model, history, windows.test)
        metrics = protocol.evaluate(history, windows.test, forecast, "test_")
        if not windows.validation.empty:
            val = validation_forecast(template, model, windows)
            covered, missing = covered_rows(windows.validation, val)
            metrics.update(protocol.evaluate(windows.train, covered, val, "val_"))
            metrics["val_n_rows_without_forecast"] = float(missing)
        metrics.update(fit_seconds=fit_seconds, predict_seconds=predict_seconds,
                       n_train_rows=float(len(history)), n_test_rows=float(len(windows.test)),
                       n_series_too_short=float(too_short))
        report = getattr(source, "gap_report_", None)
        if report is not None:
            metrics.update(report.metrics())
        if "cold_start" in forecast:  # neural models: rows forecast by the documented fallback
            metrics["n_cold_start_rows"] = float(forecast["cold_start"].sum())
        fitted_history = getattr(model, "history_", None)
        if fitted_history:
            run.log_history(fitted_history)
        run.log_metrics(metrics)
        fig = fan_chart(history, windows.test, forecast)
        run.log_figure(fig, "forecast_fan_chart.png")
        plt.close(fig)
        run.log_table(forecast, "forecast.parquet")
        if cfg.tracking.log_model:
            run.log_python_model(model, name="model")
        metrics["run_id"] = run.run_id  # type: ignore[assignment]
    return metrics
