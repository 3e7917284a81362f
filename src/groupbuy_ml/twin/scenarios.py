"""What-if scenarios (数字孪生): demand shocks, heat waves, supplier delays and price wars.

A scenario is data (a pydantic model, built from a Hydra config), applied to the world before
the first day is simulated and checked against the city then: an unknown product, category or
supplier, or a span outside the run, raises :class:`~groupbuy_ml.twin.errors.ScenarioError`
naming the field. Days count from the first scored day of the run (0), so a scenario means the
same thing whatever the warm-up.

- :class:`HeatWave`: temperature + ``delta_c`` for ``days`` days; demand follows each category's
  temperature slope (beverages and fruit up, meat down), and the morning weather forecast sees it.
- :class:`DemandShock`: demand x ``multiplier`` for chosen categories or products (holiday surge).
- :class:`SupplierDelay`: shipments due in the window arrive ``delay_days`` late; the platform
  finds out on the morning they fail to arrive.
- :class:`PriceWar`: a competitor sells chosen products ``discount`` below the list price; demand
  falls as if the platform's own price rose by that ratio unless the pricing policy answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from groupbuy_ml.data.simulate.catalog import CATEGORIES
from groupbuy_ml.twin.errors import ScenarioError


class _Span(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start_day: int = Field(0, ge=0, description="first day, counted from the first scored day")
    days: int = Field(1, ge=1, description="length in days")


class _Targets(_Span):
    categories: list[str] | None = Field(None, description="categories hit (None: all)")
    products: list[int] | None = Field(None, description="product ids hit (None: all)")


class HeatWave(_Span):
    delta_c: float = Field(6.0, description="degrees C added to the day's temperature")


class DemandShock(_Targets):
    multiplier: float = Field(1.5, gt=0, description="demand multiplier (1.5 = +50%)")


class PriceWar(_Targets):
    discount: float = Field(0.2, gt=0, lt=1, description="competitor's price cut vs list")


class SupplierDelay(_Span):
    suppliers: list[int] | None = Field(None, description="supplier ids (None: all)")
    delay_days: int = Field(1, ge=1, description="extra days in transit")


class Scenario(BaseModel):
    """A named set of shocks (empty: the baseline)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "baseline"
    heat_waves: list[HeatWave] = Field(default_factory=list)
    demand_shocks: list[DemandShock] = Field(default_factory=list)
    supplier_delays: list[SupplierDelay] = Field(default_factory=list)
    price_wars: list[PriceWar] = Field(default_factory=list)

    @property
    def max_delay(self) -> int:
        return max((d.delay_days for d in self.supplier_delays), default=0)


class ScenarioEffects:
    """A scenario resolved against one city: per-day arrays the twin multiplies in."""

    def __init__(self, scenario: Scenario, products: pd.DataFrame, suppliers: pd.DataFrame,
                 first_day: int, n_days: int) -> None:
        self.scenario = scenario
        self.first_day, self.n_days = first_day, n_days
        n_i = len(products)
        self.demand = np.ones((n_days, n_i))  # by absolute day
        self.temperature = np.zeros(n_days)
        self.delay = np.zeros((n_days, n_i), np.int64)  # by planned arrival day
        scored = n_days - first_day
        for kind, items in (("heat_waves", scenario.heat_waves),
                            ("demand_shocks", scenario.demand_shocks),
                            ("supplier_delays", scenario.supplier_delays),
                            ("price_wars", scenario.price_wars)):
            for k, item in enumerate(items):
                if item.start_day + item.days > scored:
                    raise ScenarioError(
                        f"scenario {scenario.name!r} {kind}[{k}]: days {item.start_day}.."
                        f"{item.start_day + item.days - 1} run past the {scored} scored days")
        elasticity = products["elasticity"].to_numpy()
        for k, w in enumerate(scenario.demand_shocks):
            span = self._span(w)
            self.demand[span] *= np.where(self._mask(w, products, f"demand_shocks[{k}]"),
                                          w.multiplier, 1.0)
        for k, w in enumerate(scenario.price_wars):
            hit = self._mask(w, products, f"price_wars[{k}]")
            self.demand[self._span(w)] *= np.where(hit, (1 - w.discount) ** elasticity, 1.0)
        slope = np.array([CATEGORIES[c].temp_slope for c in products["category"]])
        for w in scenario.heat_waves:
            self.temperature[self._span(w)] += w.delta_c
            self.demand[self._span(w)] *= np.exp(slope * w.delta_c)
        known = set(suppliers["supplier_id"].tolist())
        supplier_of = products["supplier_id"].to_numpy()
        for k, w in enumerate(scenario.supplier_delays):
            ids = known if w.suppliers is None else set(w.suppliers)
            unknown = sorted(ids - known)
            if unknown:
                raise ScenarioError(f"scenario {scenario.name!r} supplier_delays[{k}].suppliers: "
                                    f"unknown supplier id(s) {unknown[:5]}; the city has "
                                    f"0..{len(known) - 1}")
            hit = np.isin(supplier_of, sorted(ids))
            span = self._span(w)
            self.delay[span] = np.maximum(self.delay[span], np.where(hit, w.delay_days, 0))

    def _span(self, item: _Span) -> slice:
        return slice(self.first_day + item.start_day, self.first_day + item.start_day + item.days)

    def _mask(self, item: _Targets, products: pd.DataFrame, field: str) -> np.ndarray:
        name = self.scenario.name
        hit = np.ones(len(products), bool)
        if item.categories is not None:
            unknown = sorted(set(item.categories) - set(CATEGORIES))
            if unknown:
                raise ScenarioError(f"scenario {name!r} {field}.categories: unknown categor"
                                    f"{'y' if len(unknown) == 1 else 'ies'} {unknown}; known: "
                                    f"{sorted(CATEGORIES)}")
            hit &= products["category"].isin(item.categories).to_numpy()
        if item.products is not None:
            ids = np.asarray(item.products, np.int64)
            bad = ids[(ids < 0) | (ids >= len(products))]
            if len(bad):
                raise ScenarioError(f"scenario {name!r} {field}.products: unknown product id(s) "
                                    f"{bad[:5].tolist()}; the catalogue has 0..{len(products) - 1}")
            hit &= np.isin(np.arange(len(products)), ids)
        return hit

    def delay_for(self, placed_day: int, lead: np.ndarray) -> np.ndarray:
        """(I,) extra days for orders placed on ``placed_day`` (by their planned arrival)."""
        due = np.minimum(placed_day + lead, self.n_days - 1)
        return self.delay[due, np.arange(len(lead))]

    def shocked_days(self) -> Sequence[int]:
        """Absolute days with any demand, temperature or delay effect."""
        hit = (self.demand != 1).any(axis=1) | (self.temperature != 0) | self.delay.any(axis=1)
        return np.flatnonzero(hit).tolist()
