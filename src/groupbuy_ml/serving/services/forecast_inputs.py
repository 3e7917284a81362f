"""What a forecast request needs besides the model: recent demand history and future covariates.

A replica reads the demand history once per champion version (the last
``spec_.history_needed`` periods per series for a LightGBMForecaster, else
``history_periods``), indexes it by series, and builds the future rows of each request:

- covariates given in the request are used as given;
- every other future covariate is *carried forward*: price, discount and promotion from the
  series' last known day, ``is_holiday`` from the official PRC holiday calendar (the
  ``holidays`` package, as the simulator uses), temperature and rain as the city's mean over the
  last 7 known days.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import pandas as pd

from groupbuy_ml.data.market import load_market_table, market_panel
from groupbuy_ml.errors import ConfigError
from groupbuy_ml.forecasting.series import SERIES_KEYS, TIME, sort_panel
from groupbuy_ml.serving.errors import NotFoundError, UnprocessableError
from groupbuy_ml.serving.schemas.forecast import CovariateRow, SeriesKey

__all__ = ["ForecastState", "SeriesTable", "build_future", "carried_future",
           "load_forecast_state"]

CARRIED = ("price", "discount", "promo")
WEATHER = ("temperature_c", "rain_mm")
REQUEST_FIELDS = ("price", "discount", "promo", "is_holiday", "temperature_c", "rain_mm")


@dataclass(frozen=True)
class ForecastState:
    """One champion version with the data it forecasts from.

    Attributes:
        model: the forecaster (``predict(history, future)``).
        history: recent demand panel, sorted by series and date.
        spans: series key -> (first row, end row) in ``history``.
        last: the last history row of each series (index: series keys).
        ids: ``str(id)`` -> id, per key column, to match JSON ids of either type.
        covariates: covariate columns the model reads.
        horizon: the model's horizon (``None``: unbounded).
        weather: mean temperature and rain of the last 7 known days.
        products: the product table for newsvendor costs (``None`` without a market folder).
    """

    model: Any
    history: pd.DataFrame
    spans: dict[tuple[Any, Any], tuple[int, int]]
    last: pd.DataFrame
    ids: dict[str, dict[str, Any]]
    covariates: tuple[str, ...]
    horizon: int | None
    weather: dict[str, float]
    products: pd.DataFrame | None

    @functools.cached_property
    def table(self) -> SeriesTable:
        """The series as positional arrays (built once per version, for the vectorised path)."""
        return SeriesTable.of(self)

    @functools.cached_property
    def memo(self) -> Any:
        """This version's :class:`~groupbuy_ml.serving.services.forecast_answers.ForecastMemo`
        (needs a model horizon)."""
        from groupbuy_ml.serving.services.forecast_answers import ForecastMemo

        if self.horizon is None:
            raise RuntimeError("a forecast memo needs a model with a horizon")
        return ForecastMemo(len(self.spans), self.horizon)

    @property
    def origin(self) -> pd.Timestamp:
        """Last day of known demand."""
        return pd.Timestamp(self.history[TIME].max())

    def key(self, series: SeriesKey, field: str) -> tuple[Any, Any]:
        """The history's key of a requested series; NotFoundError naming what is unknown."""
        loc = self.ids["location_id"].get(str(series.location_id))
        prod = self.ids["product_id"].get(str(series.product_id))
        if loc is None:
            raise NotFoundError(f"unknown location_id {series.location_id!r}: the demand history "
                                "has no such pickup point", f"{field}.location_id")
        if prod is None:
            raise NotFoundError(f"unknown product_id {series.product_id!r}: the demand history "
                                "has no such product", f"{field}.product_id")
        if (loc, prod) not in self.spans:
            raise NotFoundError(f"no demand history for series ({series.location_id!r}, "
                                f"{series.product_id!r})", field)
        return loc, prod

    def history_of(self, keys: Sequence[tuple[Any, Any]]) -> pd.DataFrame:
        """History rows of ``keys`` (no search: contiguous row spans)."""
        rows = np.concatenate([np.arange(*self.spans[k]) for k in keys])
        return self.history.iloc[rows]


@dataclass(frozen=True)
class SeriesTable:
    """Every series of a :class:`ForecastState` as arrays indexed by its position in
    ``state.last`` (= its order in ``state.history``): what the vectorised answer path reads
    instead of pandas lookups.

    Attributes:
        position: series key -> position.
        location_id, product_id, last_date: per position.
        carried: carried-forward covariate -> its last value per position.
        category: per position, or ``None``.
        start, end: each series' row span in ``state.history``.
    """

    position: dict[tuple[Any, Any], int]
    location_id: np.ndarray
    product_id: np.ndarray
    last_date: np.ndarray
    carried: dict[str, np.ndarray] = field(default_factory=dict)
    category: np.ndarray | None = None
    start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @classmethod
    def of(cls, state: ForecastState) -> SeriesTable:
        last = state.last
        keys = list(last.index)
        spans = np.array([state.spans[k] for k in keys], dtype=np.int64).reshape(-1, 2)
        return cls(
            position={k: i for i, k in enumerate(keys)},
            location_id=last.index.get_level_values(0).to_numpy(),
            product_id=last.index.get_level_values(1).to_numpy(),
            last_date=last[TIME].to_numpy(),
            carried={c: last[c].to_numpy() for c in CARRIED if c in last},
            category=last["category"].to_numpy() if "category" in last else None,
            start=spans[:, 0], end=spans[:, 1])

    def history_rows(self, positions: np.ndarray) -> np.ndarray:
        """Row numbers in ``state.history`` of the series at ``positions``, in that order."""
        return _spans_to_rows(self.start[positions], self.end[positions] - self.start[positions])


def _spans_to_rows(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])`` without a loop."""
    total = int(lengths.sum())
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + (np.arange(total, dtype=np.int64) - offsets)


def carried_future(state: ForecastState, positions: np.ndarray, horizons: np.ndarray
                   ) -> pd.DataFrame:
    """:func:`build_future` without request covariates, vectorised: ``horizons[i]`` days after
    the history of the series at ``positions[i]``, every covariate carried forward. The same
    columns, dtypes and values as ``build_future(state, keys, horizon, None)`` row for row."""
    table = state.table
    at = np.repeat(positions, horizons)
    steps = _spans_to_rows(np.ones(len(positions), np.int64), horizons)
    frame = pd.DataFrame({
        "location_id": table.location_id[at],
        "product_id": table.product_id[at],
        TIME: table.last_date[at] + steps.astype("timedelta64[D]"),
    })
    for c, values in table.carried.items():
        frame[c] = values[at]
    dates = frame[TIME].to_numpy()
    years = tuple(sorted(set(pd.DatetimeIndex(np.unique(dates)).year)))
    frame["is_holiday"] = np.isin(dates, _holidays(years).to_numpy()).astype(np.int8)
    for c, value in state.weather.items():
        frame[c] = value
    if table.category is not None:
        frame["category"] = table.category[at]
    return frame


def load_forecast_state(model: Any, market_dir: Path | None, history_periods: int
                        ) -> ForecastState:
    """Read the history a forecaster needs from a market folder and index it."""
    if market_dir is None:
        raise ConfigError("serving forecasts needs market_dir: the demand history to forecast from")
    spec = getattr(model, "spec_", None)
    needed = max(int(spec.history_needed), 1) if spec is not None else int(history_periods)
    panel = market_panel(market_dir)
    recent = panel.groupby(SERIES_KEYS, sort=False).cumcount(ascending=False) < needed
    history = sort_panel(panel.loc[recent.to_numpy()])
    first = np.flatnonzero(np.r_[True, (history[SERIES_KEYS].to_numpy()[1:]
                                        != history[SERIES_KEYS].to_numpy()[:-1]).any(axis=1)])
    ends = np.r_[first[1:], len(history)]
    keys = list(history[SERIES_KEYS].iloc[first].itertuples(index=False, name=None))
    spans = {k: (int(a), int(b)) for k, a, b in zip(keys, first, ends, strict=True)}
    last = history.iloc[ends - 1].set_index(SERIES_KEYS)
    covariates = tuple(spec.covariates) if spec is not None else tuple(
        c for c in (*CARRIED, "is_holiday", *WEATHER) if c in history.columns)
    window = panel.loc[panel[TIME] > panel[TIME].max() - pd.Timedelta(days=7)]
    weather = {c: float(window[c].mean()) for c in WEATHER if c in window}
    ids = {c: {str(v): v for v in pd.unique(history[c])} for c in SERIES_KEYS}
    products = load_market_table(market_dir, "products")
    horizon = getattr(model, "horizon", None)
    state = ForecastState(model, history, spans, last, ids, covariates,
                          None if horizon is None else int(horizon), weather, products)
    _ = state.table  # index the series now, not on the first request
    return state


def build_future(state: ForecastState, keys: Sequence[tuple[Any, Any]], horizon: int,
                 given: Sequence[CovariateRow] | None) -> tuple[pd.DataFrame, bool]:
    """Future rows (``horizon`` days after each series' history) of ``keys`` with covariates;
    also whether every covariate the model reads came from the request."""
    last = state.last.loc[list(keys)]
    steps = np.tile(np.arange(1, horizon + 1), len(keys))
    frame = pd.DataFrame({
        "location_id": np.repeat(last.index.get_level_values(0).to_numpy(), horizon),
        "product_id": np.repeat(last.index.get_level_values(1).to_numpy(), horizon),
        TIME: np.repeat(last[TIME].to_numpy(), horizon) + pd.to_timedelta(steps, unit="D"),
    })
    for c in CARRIED:
        if c in last:
            frame[c] = np.repeat(last[c].to_numpy(), horizon)
    frame["is_holiday"] = frame[TIME].isin(_holidays(tuple(sorted(set(frame[TIME].dt.year)))))
    frame["is_holiday"] = frame["is_holiday"].astype(np.int8)
    for c, value in state.weather.items():
        frame[c] = value
    from_request = _apply_request(state, frame, keys, given or [])
    if "category" in last:
        frame["category"] = np.repeat(last["category"].to_numpy(), horizon)
    every = bool(from_request[[c for c in state.covariates if c in from_request]].all().all()) \
        if given else False
    return frame, every


@functools.lru_cache(maxsize=8)
def _holidays(years: tuple[int, ...]) -> pd.DatetimeIndex:
    """Official PRC holidays of ``years`` (built once per set of years)."""
    return pd.DatetimeIndex(sorted(holidays.China(years=list(years)))).astype("datetime64[ns]")


def _apply_request(state: ForecastState, frame: pd.DataFrame,
                   keys: Sequence[tuple[Any, Any]], given: Sequence[CovariateRow]
                   ) -> pd.DataFrame:
    """Write the request's covariates into ``frame``; returns which cells came from it."""
    supplied = pd.DataFrame(False, index=frame.index, columns=list(REQUEST_FIELDS))
    if not given:
        return supplied
    position = {(k, d): i for i, (k, d) in enumerate(zip(
        zip(frame["location_id"], frame["product_id"], strict=True), frame[TIME], strict=True))}
    wanted = set(keys)
    for i, row in enumerate(given):
        field = f"body.covariates.{i}"
        loc = state.ids["location_id"].get(str(row.location_id))
        prod = state.ids["product_id"].get(str(row.product_id))
        if (loc, prod) not in wanted:
            raise UnprocessableError(f"covariates for series ({row.location_id!r}, "
                                     f"{row.product_id!r}), which the request does not forecast",
                                     field)
        at = position.get(((loc, prod), pd.Timestamp(row.date)))
        if at is None:
            raise UnprocessableError(f"date {row.date} is outside the forecast days of series "
                                     f"({row.location_id!r}, {row.product_id!r})", f"{field}.date")
        for name in REQUEST_FIELDS:
            value = getattr(row, name)
            if value is not None:
                frame.loc[at, name] = int(value) if name in ("promo", "is_holiday") else value
                supplied.loc[at, name] = True
    return supplied
