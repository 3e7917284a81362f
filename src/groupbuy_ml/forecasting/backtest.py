"""Backtest anything: any tidy frame or CSV, any horizon, any list of forecasters.

A rolling-origin evaluation (Tashman 2000, IJF 16(4); the M5 protocol, Makridakis et al. 2022):
for each origin every model is fitted afresh on the history before it (expanding window) and
forecasts the next ``horizon`` periods; the table reports each model's metrics averaged over the
origins with its mean fit and predict time. This is how a user checks the library on their data.

    >>> table = backtest("sales.csv", {"location_id": "store", "date": "day", "units": "qty"},
    ...                  horizon=14, models=["seasonal_naive", "autoets", "lightgbm"],
    ...                  n_origins=3)  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.data.gaps import apply_gap_policy
from groupbuy_ml.data.loaders import ColumnMapping, read_demand_csv
from groupbuy_ml.data.schemas.panel import demand_panel_schema
from groupbuy_ml.data.validation import validate
from groupbuy_ml.errors import ConfigError
from groupbuy_ml.forecasting.periods import infer_frequency
from groupbuy_ml.forecasting.protocol import EvaluationProtocol
from groupbuy_ml.forecasting.series import TARGET, TIME
from groupbuy_ml.forecasting.splits import rolling_origins

__all__ = ["MODEL_NAMES", "Progress", "backtest", "make_model", "read_panel", "season_of"]
log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called before each fit as ``progress(model, origin, n_origins)`` (origin counts from 0)."""

MODEL_NAMES = ("seasonal_naive", "naive", "autoets", "lightgbm", "tft", "lstm")
SUMMARY = ("rmsse", "wrmsse", "mase", "wape", "rmspe", "mae", "pinball_mean", "coverage_80",
           "fit_seconds", "predict_seconds")


def season_of(frequency: pd.DateOffset) -> int:
    """Seasonal period of a frequency: 7 daily, 52 weekly, 12 monthly, 4 quarterly, else 1."""
    code = frequency.freqstr.split("-")[0]
    return {"D": 7, "B": 5, "W": 52, "MS": 12, "ME": 12, "M": 12, "QS": 4, "QE": 4}.get(code, 1)


def make_model(name: str, horizon: int, season_length: int, **overrides: Any) -> Any:
    """A library forecaster by name (:data:`MODEL_NAMES`) with sensible CPU defaults."""
    from groupbuy_ml.forecasting import (
        AutoETSForecaster,
        LightGBMForecaster,
        LSTMForecaster,
        Naive,
        SeasonalNaive,
        TFTForecaster,
    )

    neural = {"horizon": horizon, "season_length": season_length,
              "validation_days": horizon, "encoder_length": max(2 * horizon, 2 * season_length)}
    builders = {
        "seasonal_naive": lambda: SeasonalNaive(season_length),
        "naive": lambda: Naive(),
        "autoets": lambda: AutoETSForecaster(season_length),
        "lightgbm": lambda: LightGBMForecaster(horizon=horizon, validation_days=horizon,
                                               quantiles=[0.1, 0.5, 0.9], n_estimators=400),
        "tft": lambda: TFTForecaster(**neural),
        "lstm": lambda: LSTMForecaster(**neural),
    }
    if name not in builders:
        raise ConfigError(f"unknown model {name!r}; expected one of {MODEL_NAMES}")
    model = builders[name]()
    for key, value in overrides.items():
        if not hasattr(model, key):
            raise ConfigError(f"{name} has no parameter {key!r}")
        setattr(model, key, value)
    return model


def read_panel(
    data: pd.DataFrame | str | Path, column_mapping: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """A validated demand panel from a frame or CSV; ``column_mapping`` maps panel columns to
    the data's columns (``{"location_id": "store", "date": "day", "units": "qty"}``, as in
    :class:`~groupbuy_ml.data.loaders.ColumnMapping`). A bad frame raises one error naming the
    columns and rows (missing column, NaN or negative target, duplicated key)."""
    if isinstance(data, str | Path):
        mapping = column_mapping or {"location_id": "location_id", "product_id": "product_id",
                                     "date": "date", "units": "units"}
        return read_demand_csv(Path(data), mapping)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a DataFrame or a CSV path, got {type(data).__name__}")
    frame = data
    if column_mapping:
        spec = ColumnMapping.of(column_mapping)
        frame = data.rename(columns={src: dst for dst, src in spec.sources().items()})
        if spec.product_id is None and "product_id" not in frame:
            frame = frame.assign(product_id=spec.constant_product_id)
    if TIME in frame and not pd.api.types.is_datetime64_any_dtype(frame[TIME]):
        frame = frame.assign(**{TIME: pd.to_datetime(frame[TIME], errors="raise")})
    if TIME in frame:
        frame = frame.assign(**{TIME: frame[TIME].astype("datetime64[ns]")})
    return validate(frame, demand_panel_schema, "backtest data")


def fit_and_forecast(model: Any, train: pd.DataFrame, test: pd.DataFrame
                     ) -> tuple[pd.DataFrame, float, float]:
    """Fit ``model`` on ``train`` and forecast the rows of ``test`` (its target dropped);
    returns the forecast with the fit and predict wall times in seconds."""
    started = time.perf_counter()
    model.fit(train)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    forecast = model.predict(train, test.drop(columns=[TARGET]))
    return forecast, fit_seconds, time.perf_counter() - started


def backtest(
    data: pd.DataFrame | str | Path,
    column_mapping: Mapping[str, Any] | None = None,
    horizon: int = 14,
    models: Sequence[str] | Mapping[str, Any] = ("seasonal_naive", "autoets", "lightgbm"),
    n_origins: int = 3,
    step: int | None = None,
    season_length: int | None = None,
    open_days_only: bool = True,
    gaps: str = "raise",
    min_length: int | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of ``models`` on ``data``.

    Args:
        data: a demand panel-like frame or a CSV path.
        column_mapping: panel column -> data column (see :func:`read_panel`).
        horizon: periods per test window.
        models: names from :data:`MODEL_NAMES`, or ``{name: forecaster}`` (each is deep-copied
            per origin, so the caller's object is never fitted).
        n_origins, step: number of origins and periods between them (default ``horizon``).
        season_length: seasonal period for seasonal naive / MASE / AutoETS (default: from the
            inferred frequency, 7 for daily data).
        open_days_only: score only rows with ``is_open == 1`` when that column exists (the
            ``open`` mask of :class:`~groupbuy_ml.forecasting.protocol.EvaluationProtocol`).
        gaps, min_length: what a missing period means and the shortest series kept
            (:func:`~groupbuy_ml.data.gaps.apply_gap_policy`: ``raise``, ``fill``, ``trim``);
            rows added by ``fill`` are never scored. What they did is in
            ``result.attrs["gap_report"]``.
        progress: called before each fit (e.g. the CLI's progress display).

    Returns:
        one row per model: ``model, n_origins``, the metrics of :data:`SUMMARY` averaged over the
        origins (a metric undefined on this data is NaN), ``fit_seconds``, ``predict_seconds``
        (means), ``n_cold_start_rows``; the per-origin rows are in ``result.attrs["folds"]``.

    Raises:
        ValueError: bad data (names the column), a horizon longer than the data, unknown model.
    """
    source = str(data) if isinstance(data, str | Path) else "backtest data"
    panel, gap_report = apply_gap_policy(read_panel(data, column_mapping), gaps, min_length,
                                         source=source)
    m = season_length or season_of(infer_frequency(panel[TIME]))
    if isinstance(models, Mapping):
        named = dict(models)
    else:
        named = {name: make_model(name, horizon, m) for name in models}
    if not named:
        raise ConfigError("models is empty")
    # the scoring mask of the library's protocol; each origin's test window is scored once
    protocol = EvaluationProtocol(horizon=horizon, score="open" if open_days_only else "observed",
                                  season_length=m)
    rows = []
    for k, (train, test) in enumerate(rolling_origins(panel, horizon, n_origins, step)):
        for name, template in named.items():
            if progress is not None:
                progress(name, k, n_origins)
            model = copy.deepcopy(template)
            forecast, fit_seconds, predict_seconds = fit_and_forecast(model, train, test)
            metrics = protocol.evaluate(train, test, forecast)
            cold = float(forecast["cold_start"].sum()) if "cold_start" in forecast else 0.0
            rows.append({"model": name, "origin": k, "origin_date": test[TIME].min(),
                         **metrics, "fit_seconds": fit_seconds,
                         "predict_seconds": predict_seconds, "n_cold_start_rows": cold})
            log.info("origin %d %s: rmsse %.4f fit %.1fs", k, name,
                     metrics.get("rmsse", np.nan), fit_seconds)
    folds = pd.DataFrame(rows)
    cols = [c for c in (*SUMMARY, "n_cold_start_rows") if c in folds]
    summary = folds.groupby("model", sort=False)[cols].mean().reset_index()
    summary.insert(1, "n_origins", int(folds["origin"].nunique()))
    summary.attrs["folds"] = folds
    summary.attrs["gap_report"] = gap_report
    return summary
