"""One twin run as data in, data out: a picklable :class:`RunSpec` -> :func:`run_twin` ->
a picklable :class:`TwinResult` (so runs can be shipped to worker processes or Ray tasks).

A run simulates ``warm_up_days`` open loop (the default decisions and no stock limit: the
platform's records start as the open-loop generator's), then ``burn_in_days`` closed loop that
are not scored (stock and the pipeline settle), then ``days`` scored closed-loop days. Tracking
is separate: :func:`run_twin` calls ``on_day(row)`` after each scored day, which
:class:`~groupbuy_ml.twin.tracking.MlflowDayLogger` turns into MLflow metrics.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydantic
from pydantic import BaseModel, ConfigDict, Field

from groupbuy_ml.data.simulate import MarketConfig
from groupbuy_ml.data.simulate.world import MarketWorld
from groupbuy_ml.twin.delivery import DeliveryConfig, route_morning
from groupbuy_ml.twin.engine import ClosedLoop, DayOutcome, Morning
from groupbuy_ml.twin.errors import TwinConfigError
from groupbuy_ml.twin.history import RecordBook
from groupbuy_ml.twin.kpis import RepeatTracker, day_kpis, run_kpis
from groupbuy_ml.twin.policy_set import PolicySet
from groupbuy_ml.twin.scenarios import Scenario, ScenarioEffects
from groupbuy_ml.twin.state_builder import StateBuilder
from groupbuy_ml.twin.validation import check_city
from groupbuy_ml.twin.warnings import WarningLog

_RUN_FIELDS = {"seed", "n_days", "start_date"}


class TwinConfig(BaseModel):
    """The city and the run's shape (every field names what it controls)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    market: dict[str, Any] = Field(default_factory=dict, description="MarketConfig fields of "
                                   "the city (seed and n_days come from the run)")
    start_date: str = Field("2025-01-01", description="first day of the warm-up")
    warm_up_days: int = Field(91, ge=8, description="open-loop days before the twin takes over")
    burn_in_days: int = Field(14, ge=0, description="closed-loop days not scored")
    days: int = Field(90, ge=1, description="scored closed-loop days")
    history_days: int = Field(120, ge=8, description="days of records policies can see")
    forecast_days: int = Field(14, ge=1, description="weather forecast horizon in the state")
    max_lots: int = Field(16, ge=1, description="stock lots kept per pickup point x product")
    shelf_life_days: dict[str, int] = Field(default_factory=dict, description="shelf life "
                                            "overrides by category or product id (days >= 1)")
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    perfect_foresight: bool = Field(False, description="give the ordering policy the true "
                                    "demand (the perfect-foresight bound only)")

    @property
    def total_days(self) -> int:
        return self.warm_up_days + self.burn_in_days + self.days


@dataclass
class RunSpec:
    """Everything one run needs: the city and run shape, the policies, the scenario, the seed."""

    config: TwinConfig = field(default_factory=TwinConfig)
    policies: PolicySet = field(default_factory=PolicySet)
    scenario: Scenario = field(default_factory=Scenario)
    seed: int = 7
    name: str = "twin"


@dataclass
class TwinResult:
    """What a run produced: KPIs per scored day, per run, and the stock-out warnings."""

    name: str
    seed: int
    scenario: str
    policies: dict[str, str]
    daily: pd.DataFrame
    kpis: dict[str, float]
    warnings: pd.DataFrame
    seconds: dict[str, float]


def market_config(config: TwinConfig, seed: int) -> MarketConfig:
    """The city's :class:`MarketConfig`; bad fields raise :class:`TwinConfigError`."""
    clash = sorted(_RUN_FIELDS & set(config.market))
    if clash:
        raise TwinConfigError(f"market.{clash[0]} is set by the run (seed, start_date, "
                              "warm_up_days + burn_in_days + days); remove it from market")
    try:
        return MarketConfig(**config.market, seed=seed, start_date=config.start_date,
                            n_days=config.total_days)
    except pydantic.ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise TwinConfigError(f"market.{where}: {first['msg']} (got {first.get('input')!r})"
                              ) from None


def build_world(spec: RunSpec) -> tuple[MarketWorld, ScenarioEffects, pd.DataFrame]:
    """The city with the scenario applied (checked before any day is simulated)."""
    cfg = spec.config
    world = MarketWorld(market_config(cfg, spec.seed))
    products = world.products
    if cfg.shelf_life_days:
        shelf = products["shelf_life_days"].to_numpy().copy()
        for key, days in cfg.shelf_life_days.items():
            hit = (products["category"] == key).to_numpy()
            if key.lstrip("-").isdigit():
                hit |= (products["product_id"] == int(key)).to_numpy()
            if not hit.any():
                raise TwinConfigError(f"shelf_life_days.{key}: no product or category {key!r}")
            if days < 1:
                raise TwinConfigError(f"shelf_life_days.{key}: {days} days; a shelf life must "
                                      "be at least 1 day")
            shelf[hit] = days
        world.products = products.assign(shelf_life_days=shelf.astype("int32"),
                                         perishable=shelf <= 7)
    check_city(world.entities.households, world.products, world.entities.pickup_points)
    first = cfg.warm_up_days + cfg.burn_in_days
    effects = ScenarioEffects(spec.scenario, world.products, world.entities.suppliers, first,
                              cfg.total_days)
    calendar = world.calendar.assign(
        temperature_c=np.round(world.calendar["temperature_c"] + effects.temperature, 1))
    return world, effects, calendar


def run_twin(spec: RunSpec, on_day: Callable[[dict], None] | None = None,
             on_outcome: Callable[[DayOutcome, Morning], None] | None = None) -> TwinResult:
    """Run ``spec`` and return its :class:`TwinResult`.

    Args:
        on_day: called with each scored day's KPI row as soon as its orders were collected
            (e.g. to log it to MLflow: a run that fails later keeps the days already logged).
        on_outcome: called with every simulated day and the morning that settled it (e.g. to
            write the twin's tables).
    """
    started = time.perf_counter()
    cfg = spec.config
    world, effects, calendar = build_world(spec)
    n_p, n_i = world.shape
    records = RecordBook(cfg.history_days, n_p, n_i, calendar, world.products, world.discount)
    builder = StateBuilder(world, records, calendar, cfg.forecast_days)
    loop = ClosedLoop(world, spec.policies, effects, builder, records, cfg.max_lots,
                      oracle=cfg.perfect_foresight)
    loop.preflight()
    first_scored = cfg.warm_up_days + cfg.burn_in_days
    unit_cost = world.products["unit_cost"].to_numpy(np.float64)
    basket = world.model.basket_qty
    repeat = RepeatTracker(len(world.entities.households))
    warnings = WarningLog(spec.policies.ordering, first_scored, world.dates)
    warehouse = world.entities.warehouses.iloc[0]
    rows: list[dict] = []
    timing = {"setup": time.perf_counter() - started, "warm_up": 0.0, "closed_loop": 0.0,
              "routing": 0.0}
    previous: DayOutcome | None = None
    for t in range(cfg.total_days + 1):
        tic = time.perf_counter()
        if t < cfg.total_days:
            out = loop.step(t, closed=t >= cfg.warm_up_days)
            morning = out.morning
        else:
            out, morning = None, loop.settle(t)
        if previous is not None:
            if on_outcome is not None:
                on_outcome(previous, morning)
            if previous.t >= first_scored:
                row = day_kpis(previous, world.dates[previous.t], previous.decisions.price,
                               unit_cost, basket, morning.handed_out, morning.short_shipped)
                route_tic = time.perf_counter()
                row.update(route_morning(morning.van_units, world.entities.pickup_points,
                                         warehouse, cfg.delivery, seed=spec.seed))
                timing["routing"] += time.perf_counter() - route_tic
                repeat.add(previous.t, _receivers(previous, morning))
                warnings.observe(previous)
                rows.append(row)
                if on_day is not None:
                    on_day(row)
        if out is not None:
            warnings.look_ahead(out.t, loop)
        timing["warm_up" if t < cfg.warm_up_days else "closed_loop"] += \
            time.perf_counter() - tic
        previous = out
    daily = pd.DataFrame(rows)
    kpis = run_kpis(daily)
    kpis["repeat_purchase_rate"] = repeat.rate()
    kpis["lot_merged_units"] = float(loop.points.merged_units + loop.warehouse.merged_units)
    timing["total"] = time.perf_counter() - started
    closed = cfg.burn_in_days + cfg.days
    timing["seconds_per_closed_day"] = (timing["closed_loop"] - timing["routing"]) / closed
    return TwinResult(spec.name, spec.seed, spec.scenario.name, spec.policies.describe(), daily,
                      kpis, warnings.table(), timing)


def _receivers(day: DayOutcome, morning: Morning) -> np.ndarray:
    """Households that collected something from ``day``'s orders (short-ships aside)."""
    o = day.orders
    formed = np.asarray(day.formed)
    ok = formed[o.product] if formed.ndim == 1 else formed[o.point, o.product]
    return o.household[ok & (day.accepted_qty > 0)]


def write_result(result: TwinResult, out_dir: str | Path) -> Path:
    """``daily.csv``, ``kpis.json`` and ``warnings.csv`` of a result in ``out_dir``."""
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result.daily.to_csv(out / "daily.csv", index=False)
    result.warnings.to_csv(out / "warnings.csv", index=False)
    (out / "kpis.json").write_text(json.dumps({"name": result.name, "seed": result.seed,
                                               "scenario": result.scenario,
                                               "policies": result.policies,
                                               "kpis": result.kpis,
                                               "seconds": result.seconds}, indent=2))
    return out
