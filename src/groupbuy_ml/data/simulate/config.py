"""Configuration of the simulated market (validated; every field says what it controls)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from groupbuy_ml.errors import ConfigError


class MarketConfig(BaseModel):
    """Size, time span and behaviour knobs of a simulated city.

    The defaults give a small city that simulates in seconds; the benchmark in
    ``experiments/data/`` uses 1,000 pickup points x 300 products x 365 days.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(7, description="master seed; the same seed gives identical tables")
    start_date: dt.date = Field(dt.date(2025, 1, 1), description="first order date")
    n_days: int = Field(180, ge=1, le=3660, description="number of order days")
    n_pickup_points: int = Field(30, ge=1, description="pickup points (shop-owner leaders)")
    pickup_points_per_community: float = Field(2.0, ge=1.0, description="mean per community")
    n_products: int = Field(60, ge=1, description="catalogue size")
    n_suppliers: int = Field(12, ge=1, description="farms, factories and wholesalers")
    households_per_pickup_point: float = Field(120.0, gt=0, description="mean households served")
    city_radius_km: float = Field(12.0, gt=0, description="pickup points lie in this disc")
    orders_per_household_day: float = Field(
        0.35, gt=0, description="base rate of items a household orders per day, whole catalogue"
    )
    new_product_share: float = Field(0.1, ge=0, le=1, description="products launched mid-span")
    new_pickup_point_share: float = Field(0.05, ge=0, le=1, description="points opened mid-span")
    promo_rate_per_30_days: float = Field(1.0, ge=0, description="promo episodes per product")
    cutoff_minute: int = Field(23 * 60, ge=60, le=24 * 60, description="order cut-off (成团截止)")
    event_log_days: int | None = Field(
        None,
        ge=0,
        description="write household-level events and orders for the last N days only "
        "(None: all days, 0: none); daily_demand is always complete",
    )
    taste_rank: int = Field(8, ge=0, description="dimensions of the household x product "
                            "taste (0: households differ by scene tags and price band only)")
    taste_strength: float = Field(0.9, ge=0, description="sd of a household's log taste for a "
                                  "product (two households with the same tags differ this much)")
    repeat_cycles: bool = Field(True, description="a household that received a product wants it "
                                "less until the category's repeat cycle has passed")
    loyalty_liked: float = Field(1.8, gt=0, description="rate multiplier after a first delivery "
                                 "the household liked (chance: the product's like_probability)")
    loyalty_disliked: float = Field(0.4, gt=0, description="rate multiplier after one it did not")
    building_size: int = Field(8, ge=1, description="households per building: neighbours see "
                               "what each other received")
    neighbour_lift: float = Field(0.5, ge=0, description="rate x (1 + lift) per building "
                                  "neighbour who received the product yesterday (up to 3)")
    leader_picks: int = Field(3, ge=0, description="products a pickup point's leader (团长) "
                              "posts in the group chat each day")
    leader_pick_lift: float = Field(0.8, ge=0, description="a posted product sells "
                                    "1 + lift * leader_effect times more at that point")
    exposure_slots: int = Field(10, ge=0, description="feed slots shown first to a household")
    exposure_lift: float = Field(0.5, ge=0, description="slot r (0 first) sells "
                                 "1 + lift / log2(r + 2) times more")
    chunk_days: int = Field(7, ge=1, description="days generated and written per chunk")
    workers: int = Field(1, ge=1, description="processes generating chunks in parallel")

    @model_validator(mode="after")
    def _check_span(self) -> MarketConfig:
        if self.event_log_days is not None and self.event_log_days > self.n_days:
            raise ValueError(
                f"event_log_days={self.event_log_days} exceeds n_days={self.n_days}; "
                "use None to log every day"
            )
        return self

    @property
    def dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=k) for k in range(self.n_days)]

    @property
    def first_logged_day(self) -> int:
        """Index of the first day with household-level logs (``n_days`` when none)."""
        if self.event_log_days is None:
            return 0
        return self.n_days - self.event_log_days


def market_config(values: Mapping[str, Any], field: str = "market") -> MarketConfig:
    """A :class:`MarketConfig` from config values; a bad value raises
    :class:`~groupbuy_ml.errors.ConfigError` naming ``<field>.<key>`` (one line)."""
    try:
        return MarketConfig(**dict(values))
    except ValidationError as error:
        raise ConfigError.from_validation(error, field, MarketConfig.model_fields) from None
