"""``POST /v1/forecast``: quantile demand forecasts and newsvendor orders per series and day."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, StrictFloat, StrictInt, model_validator

from groupbuy_ml.serving.schemas.common import Id, ModelRef, RequestModel, ResponseModel

__all__ = [
    "MAX_COVARIATE_ROWS",
    "MAX_HORIZON",
    "MAX_SERIES",
    "CovariateRow",
    "ForecastPoint",
    "ForecastRequest",
    "ForecastResponse",
    "Ordering",
    "SeriesForecast",
    "SeriesKey",
]

MAX_SERIES = 500
MAX_HORIZON = 60
MAX_COVARIATE_ROWS = 10_000


class SeriesKey(RequestModel):
    """One series: a pickup point (or store) and a product."""

    location_id: Id = Field(description="pickup point / store id, as in the training panel")
    product_id: Id


class CovariateRow(RequestModel):
    """Known-future covariates of one series on one day; omitted fields are carried forward."""

    location_id: Id
    product_id: Id
    date: dt.date
    price: StrictFloat | None = Field(None, gt=0, le=1e6)
    discount: StrictFloat | None = Field(None, ge=0, le=1)
    promo: StrictInt | None = Field(None, ge=0, le=1)
    is_holiday: bool | None = None
    temperature_c: StrictFloat | None = Field(None, ge=-80, le=70)
    rain_mm: StrictFloat | None = Field(None, ge=0, le=2000)


class Ordering(RequestModel):
    """How the newsvendor order quantity is set.

    With ``service_level`` the order is that quantile of demand for every row; without it the
    critical ratio comes from each product's price and unit cost (``forecasting.ordering``).
    """

    service_level: StrictFloat | None = Field(None, gt=0, lt=1)
    holding_rate: StrictFloat = Field(0.02, gt=0, le=1)


class ForecastRequest(RequestModel):
    """Series to forecast, how far, optional covariates and ordering settings."""

    series: list[SeriesKey] = Field(min_length=1, max_length=MAX_SERIES)
    horizon: StrictInt = Field(7, ge=1, le=MAX_HORIZON,
                         description="days after the last known day; at most the model's")
    covariates: list[CovariateRow] | None = Field(None, max_length=MAX_COVARIATE_ROWS)
    ordering: Ordering = Field(default_factory=Ordering)

    @model_validator(mode="after")
    def _distinct_series(self) -> ForecastRequest:
        seen: set[tuple[str, str]] = set()
        for i, key in enumerate(self.series):
            pair = (str(key.location_id), str(key.product_id))
            if pair in seen:
                raise ValueError(f"series[{i}] repeats {pair}; name each series once")
            seen.add(pair)
        return self


class ForecastPoint(ResponseModel):
    """One day of one series: mean, quantiles and the order quantity (units)."""

    date: dt.date
    mean: float
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None
    order_units: float | None = Field(None, description="newsvendor quantity; null when the "
                                      "model gives no quantiles")
    critical_ratio: float | None = None


class SeriesForecast(ResponseModel):
    """The forecast of one requested series."""

    location_id: Id
    product_id: Id
    points: list[ForecastPoint]


class ForecastResponse(ResponseModel):
    """Forecasts for every requested series, in request order."""

    model: ModelRef
    origin: dt.date = Field(description="last day of known demand")
    covariates: Literal["request", "carried_forward"] = Field(
        description="request: every future covariate came from the request; carried_forward: "
        "some were built from what is known (holiday calendar, last price/promo, recent weather)")
    forecasts: list[SeriesForecast]
