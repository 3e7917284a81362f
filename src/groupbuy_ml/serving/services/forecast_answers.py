"""The vectorised answer of a batch of forecast requests without covariates of their own.

Every such request reads the same carried-forward future (:func:`~groupbuy_ml.serving.
services.forecast_inputs.carried_future`), so a batch is one ``model.predict`` over the union
of its series, each for the longest horizon any request asks of it. What was pandas per request
(future frames, merges, group spans, one validated pydantic object per point) is numpy over the
whole batch: row selections by position, the order quantities of every request in one call per
ordering setting, the rounding once; each answer is a :class:`ForecastBody` of plain values,
which the HTTP app renders to JSON directly and :meth:`ForecastService.handle
<groupbuy_ml.serving.services.forecast.ForecastService.handle>` validates into a
:class:`ForecastResponse` in one pydantic-core call. The answers are those of the per-request path
(``ForecastService(vectorised=False)``), value for value (tests/serving/services/
test_forecast_fast_path.py).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pydantic_core

from groupbuy_ml.errors import UserInputError
from groupbuy_ml.forecasting.metrics import quantile_columns
from groupbuy_ml.forecasting.ordering import interpolate_quantile, newsvendor_orders
from groupbuy_ml.forecasting.series import PREDICTION, TIME
from groupbuy_ml.serving.errors import UnprocessableError
from groupbuy_ml.serving.schemas.common import ModelRef
from groupbuy_ml.serving.schemas.forecast import (
    ForecastPoint,
    ForecastRequest,
    ForecastResponse,
)
from groupbuy_ml.serving.services.forecast_inputs import ForecastState, carried_future

__all__ = ["ForecastBody", "ForecastMemo", "answer_carried", "predict_carried"]

_NAMED = {"q0.1": "p10", "q0.5": "p50", "q0.9": "p90"}


def answer_carried(ref: ModelRef, state: ForecastState, requests: Sequence[ForecastRequest],
                   keys: Sequence[Sequence[tuple[Any, Any]]], memo: bool = True
                   ) -> list[ForecastBody]:
    """Answer ``requests`` (validated: known, distinct series; ``keys[i]`` the history keys of
    request ``i``); raises what the model or the ordering raise.

    With ``memo`` (and a model with a horizon) each series is forecast once per champion
    version, for the model's whole horizon (:class:`ForecastMemo`); else one ``predict`` over
    the batch's series, each for the longest horizon a request asks of it.
    """
    table = state.table
    positions = [np.fromiter((table.position[k] for k in ks), np.int64, len(ks)) for ks in keys]
    longest = np.zeros(len(table.position), np.int64)
    for request, pos in zip(requests, positions, strict=True):
        longest[pos] = np.maximum(longest[pos], request.horizon)
    union = np.flatnonzero(longest)
    if memo and state.horizon is not None:
        values, names = state.memo.values_of(state, union)
    else:
        values, names = predict_carried(state, union, longest[union])
    at = [np.searchsorted(union, pos) for pos in positions]
    rows = np.concatenate([values[i, :r.horizon].reshape(-1, len(names))
                           for r, i in zip(requests, at, strict=True)])
    series = np.concatenate([np.repeat(pos, r.horizon)
                             for r, pos in zip(requests, positions, strict=True)])
    steps = np.concatenate([np.tile(np.arange(1, r.horizon + 1), len(pos))
                            for r, pos in zip(requests, positions, strict=True)])
    owner = np.repeat(np.arange(len(requests)), [len(s) * r.horizon
                                                 for r, s in zip(requests, positions,
                                                                 strict=True)])
    dates = table.last_date[series] + steps.astype("timedelta64[D]")
    frame = pd.DataFrame(rows, columns=names).assign(
        location_id=table.location_id[series], product_id=table.product_id[series],
        **{TIME: dates})
    if "price" in table.carried:  # a series' price on each of its future days
        frame["price"] = table.carried["price"][series]
    columns = _columns(frame, owner, requests, state)
    listed = _dates(dates)
    bounds = np.r_[0, np.cumsum([len(s) * r.horizon for r, s in zip(requests, positions,
                                                                    strict=True)])]
    return [_response(ref, state, request, columns, listed, int(bounds[i]))
            for i, request in enumerate(requests)]


def predict_carried(state: ForecastState, positions: np.ndarray, horizons: np.ndarray
                    ) -> tuple[np.ndarray, list[str]]:
    """The model's forecast of the series at ``positions`` (sorted) with carried-forward
    covariates, ``horizons[i]`` days each: ``values[i, step, column]`` (NaN past a series'
    horizon) and the column names (``prediction``, then the quantiles)."""
    future = carried_future(state, positions, horizons)
    try:
        forecast = state.model.predict(
            state.history.iloc[state.table.history_rows(positions)], future)
    except UserInputError as error:  # e.g. covariates the model cannot use
        raise UnprocessableError(f"the forecaster rejected the request: {error}") from error
    names = [PREDICTION, *quantile_columns(forecast)]
    first = _first_rows(forecast, state.table.position)[positions]
    if (first < 0).any():
        raise RuntimeError("the forecast lacks series of its future rows")
    width = int(horizons.max()) if len(horizons) else 0
    step = np.arange(width)
    valid = step[None, :] < horizons[:, None]
    index = np.where(valid, first[:, None] + step[None, :], 0)
    values = forecast[names].to_numpy(np.float64)[index]
    values[~valid] = np.nan
    return values, names


class ForecastMemo:
    """The carried-forward forecasts of one champion version, computed once per series.

    A request without covariates of its own reads the same future for a series as every other
    such request (its covariates carried forward from the same history), and a direct
    forecaster's first ``h`` days do not depend on how many days follow; so each series is
    forecast for the model's whole horizon the first time a request names it, and later
    requests read those rows. The memo belongs to the loaded version: a new champion (or new
    history) starts an empty one.
    """

    def __init__(self, n_series: int, horizon: int) -> None:
        self.horizon = horizon
        self.known = np.zeros(n_series, bool)
        self.values: np.ndarray | None = None
        self.names: list[str] = []
        self._lock = threading.Lock()

    def values_of(self, state: ForecastState, positions: np.ndarray
                  ) -> tuple[np.ndarray, list[str]]:
        """``values[i, step, column]`` of the series at ``positions``, forecasting the ones
        not seen yet."""
        with self._lock:
            missing = positions[~self.known[positions]]
            if len(missing):
                fresh, names = predict_carried(
                    state, missing, np.full(len(missing), self.horizon, np.int64))
                if self.values is None:
                    self.values = np.full((len(self.known), self.horizon, len(names)), np.nan)
                    self.names = names
                self.values[missing] = fresh
                self.known[missing] = True
            return self.values[positions], self.names


def _first_rows(forecast: pd.DataFrame, position: dict[tuple[Any, Any], int]) -> np.ndarray:
    """Row in ``forecast`` where each series (by position) starts; -1 for absent series."""
    loc, prod = forecast["location_id"].to_numpy(), forecast["product_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, (loc[1:] != loc[:-1]) | (prod[1:] != prod[:-1])])
    first = np.full(len(position), -1, np.int64)
    for start in starts.tolist():
        first[position[(loc[start], prod[start])]] = start
    return first


def _columns(frame: pd.DataFrame, owner: np.ndarray, requests: Sequence[ForecastRequest],
             state: ForecastState) -> dict[str, list]:
    """The response columns of every row of ``frame``, rounded to 4 decimals, NaN as None."""
    qcols = quantile_columns(frame)
    n = len(frame)
    out = {"mean": frame[PREDICTION].to_numpy(np.float64)}
    order, ratio = np.full(n, np.nan), np.full(n, np.nan)
    if len(qcols) >= 2:
        values = frame[qcols].to_numpy(np.float64)
        levels = [float(c[1:]) for c in qcols]
        given = np.array([np.nan if r.ordering.service_level is None
                          else r.ordering.service_level for r in requests])[owner]
        direct = ~np.isnan(given) if state.products is not None else np.ones(n, bool)
        ratio[direct] = np.where(np.isnan(given[direct]), 0.5, given[direct])
        order[direct] = np.ceil(interpolate_quantile(levels, values[direct], ratio[direct])
                                - 1e-9) + 0.0
        rates = np.array([r.ordering.holding_rate for r in requests])[owner]
        for rate in np.unique(rates[~direct]).tolist():
            at = ~direct & (rates == rate)
            try:
                orders = newsvendor_orders(frame.loc[at].reset_index(drop=True),
                                           state.products, rate)
            except UserInputError as error:
                raise UnprocessableError(f"cannot compute orders: {error}",
                                         "body.ordering") from error
            order[at] = orders["order_units"].to_numpy() + 0.0  # no -0.0
            ratio[at] = orders["critical_ratio"].to_numpy()
    out["order_units"], out["critical_ratio"] = order, ratio
    out.update({name: frame[col].to_numpy(np.float64) for col, name in _NAMED.items()
                if col in frame})
    # every field of a point, in the schema's order (a quantile the model lacks is null)
    return {k: _listed(np.round(out[k], 4)) if k in out else [None] * n
            for k in ForecastPoint.model_fields if k != "date"}


def _listed(values: np.ndarray) -> list:
    listed = values.tolist()
    if np.isnan(values).any():
        return [None if v != v else v for v in listed]
    return listed


def _dates(values: np.ndarray) -> list[dt.date]:
    unique, inverse = np.unique(values, return_inverse=True)
    days = [pd.Timestamp(d).date() for d in unique]
    return [days[i] for i in inverse.tolist()]


@dataclass(frozen=True)
class ForecastBody:
    """A response body as plain values: rendered to JSON directly for HTTP (:meth:`json`), or
    validated into a :class:`ForecastResponse` (:meth:`response`); both give the same JSON."""

    values: dict[str, Any]

    def json(self) -> bytes:
        """The JSON body (pydantic-core's serialiser, as ``model_dump_json``)."""
        return pydantic_core.to_json(self.values)

    def response(self) -> ForecastResponse:
        """The validated response model (one pydantic-core call)."""
        return ForecastResponse.model_validate(self.values)


def _response(ref: ModelRef, state: ForecastState, request: ForecastRequest,
              columns: dict[str, list], dates: list[dt.date], at: int) -> ForecastBody:
    """The response body of ``request`` from the batch's columns, rows ``at`` onwards."""
    names = ["date", *columns]
    table = [dates, *columns.values()]
    forecasts = []
    for series in request.series:
        end = at + request.horizon
        points = [dict(zip(names, values, strict=True))
                  for values in zip(*(c[at:end] for c in table), strict=True)]
        at = end
        forecasts.append({"location_id": series.location_id, "product_id": series.product_id,
                          "points": points})
    return ForecastBody({"model": ref.model_dump(mode="json"), "origin": state.origin.date(),
                         "covariates": "carried_forward", "forecasts": forecasts})
