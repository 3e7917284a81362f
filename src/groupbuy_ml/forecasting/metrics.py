"""Forecast accuracy metrics on the demand panel, vectorised per series.

Definitions follow the M5 competition (Makridakis, Spiliotis & Assimakopoulos 2022, "M5 accuracy
competition: results, findings, and conclusions", IJF 38(4)) for RMSSE / WRMSSE, Hyndman &
Koehler 2006 ("Another look at measures of forecast accuracy", IJF 22(4)) for MASE, and the
Kaggle Rossmann competition for RMSPE.

**Scale.** RMSSE and MASE divide a series' forecast error by the in-sample error of the naive
(m = 1) or seasonal naive forecast on its *training* history, counted from the first non-zero
value (as M5 does, so that leading zeros of a late-launched product do not shrink the scale).

**Unscaled series.** A series whose scale is 0 (constant history after its first non-zero
value), or which has no scale (fewer than m + 1 such values, or absent from the training panel),
is *excluded* from RMSSE, WRMSSE and MASE; :class:`SeriesScores` lists them and
:func:`evaluate_forecast` reports their count. No metric divides by zero or returns NaN: a
metric with nothing to average raises ``ValueError`` and :func:`evaluate_forecast` omits it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.scaling import naive_scale, sales_weights
from groupbuy_ml.forecasting.series import PREDICTION, SERIES_KEYS, TARGET, TIME, require_columns

__all__ = [
    "SeriesScores", "evaluate_forecast", "interval_coverage", "join_forecast", "mase",
    "naive_scale", "pinball_loss", "quantile_columns", "rmspe", "rmsse", "sales_weights", "wape",
    "wrmsse",
]

_QUANTILE = re.compile(r"^q(0?\.\d+)$")


@dataclass(frozen=True)
class SeriesScores:
    """Per-series values of a scaled metric and the series it had to leave out.

    Attributes:
        per_series: one finite value per scored series, indexed by (location_id, product_id).
        unscaled: the series excluded because their scale is 0 or undefined.
    """

    per_series: pd.Series
    unscaled: pd.Index

    @property
    def value(self) -> float:
        """Unweighted mean over the scored series (``ValueError`` when none could be scored)."""
        if self.per_series.empty:
            raise InvalidDataError(f"no series could be scaled ({len(self.unscaled)} unscaled)")
        return float(self.per_series.mean())


def _arrays(*arrays: ArrayLike) -> list[np.ndarray]:
    out = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    if len({len(a) for a in out}) != 1:
        raise ValueError(f"arrays differ in length: {[len(a) for a in out]}")
    if len(out[0]) == 0:
        raise ValueError("metrics need at least one value")
    if any(np.isnan(a).any() for a in out):
        raise ValueError("metric inputs contain NaN")
    return out


def wape(y: ArrayLike, y_pred: ArrayLike) -> float:
    """Weighted absolute percentage error: sum |y - y_pred| / sum |y|."""
    y, y_pred = _arrays(y, y_pred)
    denom = np.abs(y).sum()
    if denom == 0:
        raise InvalidDataError("WAPE is undefined when every actual is 0")
    return float(np.abs(y - y_pred).sum() / denom)


def rmspe(y: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared percentage error over the points where y != 0 (Kaggle Rossmann)."""
    y, y_pred = _arrays(y, y_pred)
    keep = y != 0
    if not keep.any():
        raise InvalidDataError("RMSPE is undefined when every actual is 0")
    return float(np.sqrt(np.mean(((y[keep] - y_pred[keep]) / y[keep]) ** 2)))


def pinball_loss(y: ArrayLike, q_pred: ArrayLike, quantile: float) -> float:
    """Mean pinball (quantile) loss: mean of max(q (y - q_pred), (q - 1)(y - q_pred))."""
    if not 0.0 < quantile < 1.0:
        raise ConfigError(f"quantile must lie in (0, 1), got {quantile}")
    y, q_pred = _arrays(y, q_pred)
    diff = y - q_pred
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1.0) * diff)))


def interval_coverage(y: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of actuals inside the closed interval [lower, upper]."""
    y, lower, upper = _arrays(y, lower, upper)
    return float(np.mean((y >= lower) & (y <= upper)))


def join_forecast(
    test: pd.DataFrame, forecast: pd.DataFrame, target: str = TARGET
) -> pd.DataFrame:
    """Attach ``forecast``'s prediction (and quantile) columns to every row of ``test``.

    Raises:
        ValueError: when a test row has no forecast, a forecast is duplicated or NaN.
    """
    require_columns(test, [*SERIES_KEYS, TIME, target], "test")
    require_columns(forecast, [*SERIES_KEYS, TIME, PREDICTION], "forecast")
    cols = [PREDICTION, *quantile_columns(forecast)]
    fc = forecast[[*SERIES_KEYS, TIME, *cols]]
    if fc.duplicated([*SERIES_KEYS, TIME]).any():
        raise ValueError("forecast holds duplicated (location_id, product_id, date) rows")
    scored = test[[*SERIES_KEYS, TIME, target]].merge(
        fc, on=[*SERIES_KEYS, TIME], how="left", validate="one_to_one"
    )
    missing = scored[cols].isna().any(axis=1)
    if missing.any():
        raise ValueError(f"{int(missing.sum())} of {len(scored)} test rows have no forecast")
    return scored


def quantile_columns(frame: pd.DataFrame) -> list[str]:
    """Columns named like ``q0.1``, ``q0.5``, ``q0.9``, sorted by quantile."""
    found = [c for c in frame.columns if isinstance(c, str) and _QUANTILE.match(c)]
    return sorted(found, key=lambda c: float(c[1:]))


def _scaled(
    train: pd.DataFrame, scored: pd.DataFrame, season_length: int, power: int, target: str
) -> SeriesScores:
    require_columns(scored, [*SERIES_KEYS, target, PREDICTION], "scored")
    err = (scored[target] - scored[PREDICTION]).abs() ** power
    per_series = err.groupby([scored[k] for k in SERIES_KEYS]).mean()
    scale = naive_scale(train, season_length, power, target).reindex(per_series.index)
    ok = (scale > 0).to_numpy()
    values = per_series[ok] / scale[ok]
    return SeriesScores(values ** (1.0 / power), per_series.index[~ok])


def rmsse(train: pd.DataFrame, scored: pd.DataFrame, target: str = TARGET) -> SeriesScores:
    """Root mean squared scaled error per series (M5): sqrt(MSE / one-step naive in-sample MSE).

    ``scored`` holds the test rows with a ``prediction`` column (see :func:`join_forecast`).
    """
    return _scaled(train, scored, 1, 2, target)


def mase(
    train: pd.DataFrame, scored: pd.DataFrame, season_length: int = 1, target: str = TARGET
) -> SeriesScores:
    """Mean absolute scaled error per series (Hyndman & Koehler 2006) with seasonal period m."""
    return _scaled(train, scored, season_length, 1, target)


def wrmsse(
    train: pd.DataFrame,
    scored: pd.DataFrame,
    weights: pd.Series | None = None,
    weight_window: int = 28,
    target: str = TARGET,
) -> float:
    """Weighted RMSSE (M5, bottom level only: no aggregation over the 12 M5 hierarchy levels).

    Args:
        weights: per-series weights indexed by (location_id, product_id); default
            :func:`sales_weights` over the last ``weight_window`` training dates.

    Weights are renormalised over the scored series (unscaled series drop out).

    Raises:
        ValueError: when the scored series carry zero total weight.
    """
    scores = rmsse(train, scored, target)
    w = sales_weights(train, weight_window, target) if weights is None else weights
    w = w.reindex(scores.per_series.index).fillna(0.0).astype(np.float64)
    total = float(w.sum())
    if total <= 0:
        raise InvalidDataError("WRMSSE is undefined: the scored series have zero total weight")
    return float((w * scores.per_series).sum() / total)


def evaluate_forecast(
    train: pd.DataFrame,
    test: pd.DataFrame,
    forecast: pd.DataFrame,
    season_length: int = 1,
    weights: pd.Series | None = None,
    weight_window: int = 28,
) -> dict[str, float]:
    """Every applicable metric of ``forecast`` against ``test``, scaled by ``train``.

    Keys: ``rmsse``, ``wrmsse``, ``mase`` (seasonal period ``season_length``), ``wape``,
    ``rmspe``, ``mae``, ``rmse``, ``bias`` (mean prediction - actual), counts ``n_series``,
    ``rmsse_n_unscaled``, ``mase_n_unscaled``; with quantile columns ``pinball_q0.1``...,
    ``pinball_mean`` and ``coverage_80`` for each symmetric pair (q, 1 - q). A metric that is
    undefined on this data (e.g. WAPE when all actuals are 0) is omitted, never NaN.
    """
    scored = join_forecast(test, forecast)
    y, pred = scored[TARGET].to_numpy(np.float64), scored[PREDICTION].to_numpy(np.float64)
    err = pred - y
    out: dict[str, float] = {
        "mae": float(np.abs(err).mean()),
        "rmse": float(np.sqrt((err**2).mean())),
        "bias": float(err.mean()),
        "n_series": float(scored.groupby(SERIES_KEYS).ngroups),
    }
    scaled = {"rmsse": rmsse(train, scored), "mase": mase(train, scored, season_length)}
    for name, scores in scaled.items():
        out[f"{name}_n_unscaled"] = float(len(scores.unscaled))
        if not scores.per_series.empty:
            out[name] = scores.value
    candidates = {
        "wrmsse": lambda: wrmsse(train, scored, weights, weight_window),
        "wape": lambda: wape(y, pred),
        "rmspe": lambda: rmspe(y, pred),
    }
    for name, compute in candidates.items():
        try:
            out[name] = compute()
        except ValueError:
            continue
    qcols = quantile_columns(scored)
    losses = {c: pinball_loss(y, scored[c], float(c[1:])) for c in qcols}
    out.update({f"pinball_{c}": v for c, v in losses.items()})
    if losses:
        out["pinball_mean"] = float(np.mean(list(losses.values())))
    levels = {round(float(c[1:]), 6): c for c in qcols}
    for q, low in levels.items():
        high = levels.get(round(1.0 - q, 6))
        if q < 0.5 and high is not None:
            out[f"coverage_{round((1 - 2 * q) * 100)}"] = interval_coverage(
                y, scored[low], scored[high]
            )
    return out
