"""Fan charts of forecasts against actuals (logged with every forecasting run)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from groupbuy_ml.data.schemas.panel import SERIES_KEYS, TARGET, TIME  # noqa: E402


def fan_chart(train: pd.DataFrame, test: pd.DataFrame, forecast: pd.DataFrame,
              n_series: int = 6, context: int = 56) -> Figure:
    """Plot the ``n_series`` highest-volume series: recent history, actuals, the point forecast
    and the P10-P90 band when the forecast has ``q0.1`` / ``q0.9`` columns."""
    volume = test.groupby(SERIES_KEYS)[TARGET].sum().sort_values(ascending=False)
    keys = list(volume.index[:n_series])
    cols = 2 if len(keys) > 1 else 1
    rows = max(1, (len(keys) + cols - 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 2.6 * rows), squeeze=False)
    for ax, key in zip(axes.ravel(), keys, strict=False):
        hist = _series(train, key).tail(context)
        actual = _series(test, key)
        pred = _series(forecast, key)
        ax.plot(hist[TIME], hist[TARGET], color="0.4", lw=1, label="history")
        ax.plot(actual[TIME], actual[TARGET], color="black", lw=1.2, label="actual")
        ax.plot(pred[TIME], pred["prediction"], color="tab:blue", lw=1.5, label="forecast")
        if {"q0.1", "q0.9"} <= set(pred.columns):
            ax.fill_between(pred[TIME], pred["q0.1"], pred["q0.9"], color="tab:blue",
                            alpha=0.2, label="P10-P90")
        ax.set_title(f"{key[0]} / {key[1]}", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(keys):]:
        ax.set_visible(False)
    axes.ravel()[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def _series(frame: pd.DataFrame, key: tuple) -> pd.DataFrame:
    mask = (frame[SERIES_KEYS[0]] == key[0]) & (frame[SERIES_KEYS[1]] == key[1])
    return frame.loc[mask].sort_values(TIME)
