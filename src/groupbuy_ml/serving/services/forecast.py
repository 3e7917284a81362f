"""ForecastService: quantile forecasts and newsvendor orders from the champion forecaster.

Framework-free: Ray Serve's forecast deployment, the plain FastAPI app and the tests all call
:meth:`ForecastService.handle` / :meth:`ForecastService.handle_batch`. A batch of requests is
answered with as few ``model.predict`` calls as possible (the features of a global model are
built for all rows at once): every request without covariates of its own shares one call over
the union of their series and days (carried-forward covariates are the same for everyone);
requests that bring covariates share a call only with requests whose series they do not touch.
The requests without covariates take the vectorised path of
:mod:`~groupbuy_ml.serving.services.forecast_answers` (numpy over the whole batch); the others,
and every request with ``vectorised=False``, the per-request pandas path below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, UserInputError
from groupbuy_ml.forecasting.metrics import quantile_columns
from groupbuy_ml.forecasting.ordering import interpolate_quantile, newsvendor_orders
from groupbuy_ml.forecasting.series import PREDICTION, TIME
from groupbuy_ml.serving.champion import Loaded
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.errors import ServiceError, UnprocessableError, internal_error
from groupbuy_ml.serving.schemas.common import ModelRef
from groupbuy_ml.serving.schemas.forecast import (
    ForecastPoint,
    ForecastRequest,
    ForecastResponse,
    SeriesForecast,
)
from groupbuy_ml.serving.services.champion_service import ChampionService, watch_champion
from groupbuy_ml.serving.services.forecast_answers import ForecastBody, answer_carried
from groupbuy_ml.serving.services.forecast_inputs import (
    ForecastState,
    build_future,
    load_forecast_state,
)

__all__ = ["ForecastService"]

_NAMED = {"q0.1": "p10", "q0.5": "p50", "q0.9": "p90"}


@dataclass(frozen=True)
class _Prepared:
    """One validated request turned into history keys and future rows."""

    request: ForecastRequest
    keys: list[tuple[Any, Any]]
    future: pd.DataFrame | None  # None: carried forward, built for the batch (vectorised path)
    from_request: bool


class ForecastService(ChampionService[ForecastState]):
    """Answers :class:`ForecastRequest` with the champion forecaster.

    Args:
        watcher: follows the registry alias and holds the loaded :class:`ForecastState`.
        vectorised: answer requests without covariates on the vectorised batch path (the
            per-request pandas path when False: the reference the tests compare it with).
        memo: on the vectorised path, forecast each series once per champion version
            (:class:`~groupbuy_ml.serving.services.forecast_answers.ForecastMemo`).
    """

    def __init__(self, watcher: Any, vectorised: bool = True, memo: bool = True) -> None:
        super().__init__(watcher)
        self.vectorised, self.memo = vectorised, memo

    @classmethod
    def from_registry(cls, config: ServingConfig, poll: bool = True) -> ForecastService:
        """Load ``config.forecast_model@alias`` and its history; poll for moves when ``poll``.

        A missing model or alias is not fatal: the service answers 503 until one appears.
        """
        if not config.forecast_model:
            raise ConfigError("config.forecast_model is not set")
        market = config.market_path()

        def prepare(model: Any, ref: ModelRef) -> ForecastState:
            return load_forecast_state(model, market, config.history_periods)

        return cls(watch_champion(config.forecast_model, config, prepare, poll),
                   memo=config.forecast_memo)

    def handle_batch(self, requests: Sequence[ForecastRequest], render: bool = False
                     ) -> list[ForecastResponse | bytes | ServiceError]:
        """Answer several requests on one champion snapshot; errors are returned, not raised.
        With ``render`` each answer is its JSON body (bytes; what the HTTP app sends)."""
        loaded = self.watcher.current
        if loaded is None:
            return [self.unavailable() for _ in requests]
        results: list[ForecastResponse | ServiceError | None] = [None] * len(requests)
        prepared: dict[int, _Prepared] = {}
        for i, request in enumerate(requests):
            try:
                prepared[i] = self._prepare(loaded.state, request)
            except Exception as error:
                results[i] = self._failure(error)
        for group in _groups(prepared):
            try:
                self._answer_group(loaded, [prepared[i] for i in group], group, results)
            except Exception as error:
                if len(group) == 1:
                    results[group[0]] = self._failure(error)
                else:  # one request fails the shared predict: answer each of them alone
                    for i in group:
                        results[i] = self.answer_batch([requests[i]], render=render)[0]
        return [_rendered(r, render) if r is not None
                else internal_error("a forecast request was left unanswered") for r in results]

    def _prepare(self, state: ForecastState, request: ForecastRequest) -> _Prepared:
        if state.horizon is not None and request.horizon > state.horizon:
            raise UnprocessableError(f"horizon {request.horizon} exceeds the model's horizon "
                                     f"{state.horizon}", "body.horizon")
        keys = [state.key(s, f"body.series.{i}") for i, s in enumerate(request.series)]
        if self.vectorised and not request.covariates:
            return _Prepared(request, keys, None, False)
        future, every = build_future(state, keys, request.horizon, request.covariates)
        return _Prepared(request, keys, future, every)

    def _answer_group(self, loaded: Loaded[ForecastState], group: list[_Prepared],
                      indices: list[int], results: list) -> None:
        state = loaded.state
        if all(p.future is None for p in group):
            answers = answer_carried(loaded.ref, state, [p.request for p in group],
                                     [p.keys for p in group], memo=self.memo)
            for i, answer in zip(indices, answers, strict=True):
                results[i] = answer
            return
        keys = list(dict.fromkeys(k for p in group for k in p.keys))
        future = pd.concat([p.future for p in group], ignore_index=True).drop_duplicates(
            ["location_id", "product_id", TIME], ignore_index=True)
        try:
            forecast = state.model.predict(state.history_of(keys), future)
        except UserInputError as error:  # e.g. covariates the model cannot use
            raise UnprocessableError(f"the forecaster rejected the request: {error}") from error
        keep = ["location_id", "product_id", TIME, *(["price"] if "price" in future else [])]
        forecast = forecast.merge(future[keep], on=keep[:3], how="left")
        codes = forecast.groupby(["location_id", "product_id"], sort=False).ngroup().to_numpy()
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:], len(codes)]
        firsts = forecast[["location_id", "product_id"]].iloc[starts].itertuples(
            index=False, name=None)
        spans = {key: (a, b) for key, a, b in zip(firsts, starts, ends, strict=True)}
        for i, p in zip(indices, group, strict=True):
            # every series' rows start the day after its history, so a request's first
            # ``horizon`` rows of each series are its days (a longer request may share them)
            days = p.request.horizon
            rows = forecast.iloc[np.concatenate([np.arange(spans[k][0], spans[k][0] + days)
                                                 for k in p.keys])]
            rows = _with_orders(rows.reset_index(drop=True), state, p.request)
            results[i] = _response(loaded.ref, state, p, rows)


def _rendered(result: Any, render: bool) -> Any:
    """An answer as :meth:`ForecastService.handle_batch` returns it: JSON bytes with
    ``render``, else a :class:`ForecastResponse` (errors as they are)."""
    if isinstance(result, ForecastBody):
        return result.json() if render else result.response()
    if render and isinstance(result, ForecastResponse):
        return result.model_dump_json().encode()
    return result


def _groups(prepared: dict[int, _Prepared]) -> list[list[int]]:
    """Request indices that can share one ``predict``: all requests without covariates of
    their own; the others grouped so that no two requests of a group share a series."""
    shared = [i for i, p in prepared.items() if not p.request.covariates]
    touched = {k for i in shared for k in prepared[i].keys}
    groups: list[tuple[list[int], set]] = [(shared, touched)] if shared else []
    for i, p in prepared.items():
        if not p.request.covariates:
            continue
        keys = set(p.keys)
        for members, used in groups:
            if not used & keys:
                members.append(i)
                used |= keys
                break
        else:
            groups.append(([i], keys))
    return [members for members, _ in groups]


def _with_orders(rows: pd.DataFrame, state: ForecastState, request: ForecastRequest
                 ) -> pd.DataFrame:
    """Add ``order_units`` and ``critical_ratio`` (NaN when the model gives < 2 quantiles)."""
    qcols = quantile_columns(rows)
    if len(qcols) < 2:
        return rows.assign(order_units=np.nan, critical_ratio=np.nan)
    levels = [float(c[1:]) for c in qcols]
    level = request.ordering.service_level
    if level is not None or state.products is None:
        ratio = np.full(len(rows), level if level is not None else 0.5)
        order = np.ceil(interpolate_quantile(levels, rows[qcols].to_numpy(), ratio) - 1e-9) + 0.0
        return rows.assign(order_units=order, critical_ratio=ratio)
    try:
        orders = newsvendor_orders(rows, state.products, request.ordering.holding_rate)
    except UserInputError as error:
        raise UnprocessableError(f"cannot compute orders: {error}", "body.ordering") from error
    return rows.assign(order_units=orders["order_units"].to_numpy() + 0.0,  # no -0.0
                       critical_ratio=orders["critical_ratio"].to_numpy())


def _response(ref: ModelRef, state: ForecastState, prepared: _Prepared, rows: pd.DataFrame
              ) -> ForecastResponse:
    """The response body; ``rows`` hold the request's series in request order, days ascending."""
    columns = {"mean": rows[PREDICTION].to_numpy(np.float64),
               "order_units": rows["order_units"].to_numpy(np.float64),
               "critical_ratio": rows["critical_ratio"].to_numpy(np.float64)}
    columns.update({name: rows[col].to_numpy(np.float64) for col, name in _NAMED.items()
                    if col in rows})
    values = {k: [None if np.isnan(v) else v for v in np.round(a, 4).tolist()]
              for k, a in columns.items()}
    dates = [d.date() for d in rows[TIME]]
    request = prepared.request
    forecasts, at = [], 0
    for series in request.series:
        points = [ForecastPoint(date=dates[j], **{k: v[j] for k, v in values.items()})
                  for j in range(at, at + request.horizon)]
        at += request.horizon
        forecasts.append(SeriesForecast(location_id=series.location_id,
                                        product_id=series.product_id, points=points))
    return ForecastResponse(
        model=ref, origin=state.origin.date(),
        covariates="request" if prepared.from_request else "carried_forward",
        forecasts=forecasts)
