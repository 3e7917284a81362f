"""Cold start: forecasts for series with no history, from similar series.

A new pickup point or product has no encoder window, so a sequence model (TFT, LSTM) cannot read
it. The neural forecasters forecast such series with this documented fallback and flag their
rows ``cold_start = True`` (the experiment reports how many): the seasonal profile of the most
similar series that do have history, in this order (the "similar series" pooling of
hierarchical and cross-learning approaches, e.g. Montero-Manso & Hyndman 2021, IJF 37(4)):

1. the same product at the other pickup points,
2. the same category at the same pickup point (when a ``category`` column is given),
3. every series.

For each future row the profile is the mean (``prediction``) and the empirical quantiles
(``q0.1``...) over those series of their values at the same position in the last season
(``season_length`` periods). Closed days (``is_open == 0``) are 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.forecasting.periods import periods_between
from groupbuy_ml.forecasting.series import PREDICTION, SERIES_KEYS, TARGET, TIME, sort_panel

__all__ = ["COLD_START", "similar_series_forecast"]

COLD_START = "cold_start"


def similar_series_forecast(
    history: pd.DataFrame,
    future: pd.DataFrame,
    frequency: pd.DateOffset,
    season_length: int = 7,
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
) -> pd.DataFrame:
    """Forecast the rows of ``future`` (series absent from ``history``) from similar series.

    Returns:
        ``location_id, product_id, date, prediction, q...`` and ``cold_start`` (True), in
        ``future``'s row order.

    Raises:
        ValueError: when ``history`` is empty (nothing to borrow from).
    """
    if history.empty:
        raise InvalidDataError("cold start needs some history of other series; history is empty")
    past = sort_panel(history)
    m = max(int(season_length), 1)
    recent = past.groupby(SERIES_KEYS, sort=False).cumcount(ascending=False)
    last = past.loc[recent.to_numpy() < m].copy()
    end = pd.Timestamp(past[TIME].max())
    last["_pos"] = periods_between(last[TIME].to_numpy(), np.full(len(last), end), frequency) % m
    out = future[[*SERIES_KEYS, TIME]].reset_index(drop=True).copy()
    if "category" in future.columns:
        out["category"] = future["category"].to_numpy()
    steps = periods_between(np.full(len(out), end), out[TIME].to_numpy(), frequency)
    out["_pos"] = (-steps) % m
    pools = [("product_id",), ("location_id", "category"), ()]
    values = np.full((len(out), 1 + len(quantiles)), np.nan)
    for keys in pools:
        keys = tuple(k for k in keys if k in last.columns and k in out.columns)
        group = [*keys, "_pos"]
        stats = last.groupby(group)[TARGET].agg(
            ["mean", *[_quantile(q) for q in quantiles]])
        todo = np.isnan(values[:, 0])
        if not todo.any():
            break
        found = stats.reindex(pd.MultiIndex.from_frame(out.loc[todo, group])
                              if len(group) > 1 else out.loc[todo, "_pos"]).to_numpy()
        values[todo] = found
    closed = future["is_open"].to_numpy() == 0 if "is_open" in future.columns else None
    result = out[[*SERIES_KEYS, TIME]].copy()
    values = np.nan_to_num(values, nan=0.0)
    if closed is not None:
        values[np.asarray(closed, dtype=bool)] = 0.0
    result[PREDICTION] = values[:, 0]
    qs = np.sort(values[:, 1:], axis=1)
    for j, q in enumerate(quantiles):
        result[f"q{q:g}"] = qs[:, j]
    result[COLD_START] = True
    return result


def _quantile(q: float):  # noqa: ANN202 - a named aggregation for groupby.agg
    def agg(values: pd.Series) -> float:
        return float(np.quantile(values, q))

    agg.__name__ = f"q{q:g}"
    return agg
