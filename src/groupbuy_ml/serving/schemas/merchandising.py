"""``POST /v1/price`` (a recommended price with its demand and margin curve) and
``POST /v1/group-formation`` (the chance a proposed group buy forms, and a suggested
threshold)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from groupbuy_ml.serving.schemas.common import Id, RequestModel, ResponseModel

__all__ = ["FormationRequest", "FormationResponse", "PriceHistoryRow", "PricePoint",
           "PriceRequest", "PriceResponse"]

MAX_HISTORY = 2000
_PRICE = 1e6


Multiple = Annotated[StrictFloat, Field(gt=0, le=100)]
"""A multiple of the list price."""


class PriceHistoryRow(RequestModel):
    """One day of the product's sales at one price."""

    date: Annotated[StrictStr, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] = Field(
        description="YYYY-MM-DD, years 1900-2200")
    price: StrictFloat = Field(gt=0, le=_PRICE)
    units: StrictFloat = Field(ge=0, le=1e9)
    promo: StrictBool = False

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        day = dt.date.fromisoformat(value)  # ValueError -> 422 naming the field
        if not 1900 <= day.year <= 2200:
            raise ValueError(f"{value}: years 1900-2200")
        return value


class PriceRequest(RequestModel):
    """A product's list price, unit cost, allowed price range and either its sales history
    (the elasticity is estimated from it) or a known ``elasticity``."""

    product_id: Id
    list_price: StrictFloat = Field(gt=0, le=_PRICE)
    unit_cost: StrictFloat = Field(ge=0, le=_PRICE)
    bounds: tuple[Multiple, Multiple] = Field(
        (0.8, 1.3), description="(low, high) multiples of the list price it may use")
    grid_points: StrictInt = Field(11, ge=2, le=101)
    history: list[PriceHistoryRow] = Field(default_factory=list, max_length=MAX_HISTORY)
    elasticity: StrictFloat | None = Field(None, gt=0, le=20, description="known elasticity; "
                                     "otherwise estimated from history")
    expected_units: StrictFloat | None = Field(None, ge=0, le=1e9, description="demand per day at "
                                         "the list price; otherwise the history's recent mean")

    @model_validator(mode="after")
    def _check(self) -> PriceRequest:
        low, high = self.bounds
        if low <= 0:
            raise ValueError(f"bounds: low {low} must be > 0")
        if low > high:
            raise ValueError(f"bounds: low {low} > high {high}; give [low, high]")
        if self.elasticity is None and not self.history:
            raise ValueError("history: no price history; send the product's daily sales "
                             "(date, price, units) or a known elasticity")
        if self.expected_units is None and not self.history:
            raise ValueError("history: no sales history to forecast demand from; send "
                             "history or expected_units")
        return self


class PricePoint(ResponseModel):
    price: float
    expected_units: float
    expected_margin: float


class PriceResponse(ResponseModel):
    product_id: Id
    price: float = Field(description="the margin-maximising price on the grid")
    expected_units: float
    expected_margin: float
    elasticity: float
    elasticity_ci95: tuple[float, float] | None = None
    elasticity_source: Literal["estimated", "given"]
    curve: list[PricePoint]


class FormationRequest(RequestModel):
    """A proposed group buy: its threshold and how many participants similar group buys drew
    on recent days; optionally how many joined so far today."""

    threshold: StrictInt = Field(ge=1, le=10**6, description="participants needed "
                           "(>= 1)")
    recent_participants: list[Annotated[StrictInt, Field(ge=0, le=10**6)]] = Field(
        min_length=3, max_length=365,
                                           description="participants of the product's group "
                                           "buys on recent days (>= 3 days)")
    joined_so_far: StrictInt = Field(0, ge=0, le=10**6)
    share_of_day_elapsed: StrictFloat = Field(
        0.0, ge=0, le=1, description="share of a day's orders usually placed by now (0: launch)")
    target: StrictFloat = Field(
        0.9, gt=0, lt=1, description="formation probability the suggested threshold must reach")
    min_threshold: StrictInt | None = Field(
        None, ge=1, le=10**6,
        description="the supplier's minimum batch (default: half the proposed threshold)")

    @model_validator(mode="after")
    def _check(self) -> FormationRequest:
        if self.min_threshold is not None and self.min_threshold > self.threshold:
            raise ValueError(f"min_threshold {self.min_threshold} > threshold "
                             f"{self.threshold}")
        return self


class FormationResponse(ResponseModel):
    probability: float
    expected_participants: float
    suggested_threshold: int
    suggested_probability: float
    model: str
