"""Realistic request bodies for the serving benchmark, drawn from the simulated market.

A :class:`Catalog` holds what a real client would know (household ids, pickup point x product
series with enough history, pickup point positions and receiving windows, the warehouse); the
request factories draw one body per call from a seeded ``random.Random``:

- ``recommend``: a random known household, k = 10, one request in ten with a scene filter;
- ``forecast``: ``n_series`` distinct random series (100 by default), horizon 7;
- ``route``: ``n_stops`` random pickup points with demand and their receiving windows, the
  warehouse as depot, a small fleet and a 1 s solver budget.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as ds

Body = tuple[str, str, dict[str, Any] | None]
"""HTTP method, path and JSON body of one request."""
SCENES = ("baby", "kids", "fitness", "elderly", "pet")


@dataclass(frozen=True)
class Catalog:
    """Ids and places of a simulated market that requests may name."""

    households: tuple[int, ...]
    series: tuple[tuple[int, int], ...]
    pickup_points: tuple[dict[str, float], ...]
    depot: dict[str, float]

    @classmethod
    def from_market(cls, market_dir: str | Path, min_history: int = 60) -> Catalog:
        """Read the catalog of the market in ``market_dir``; series need ``min_history`` days
        of demand up to the market's last day (the forecaster drops shorter ones)."""
        market = Path(market_dir)
        households = pd.read_parquet(market / "households.parquet", columns=["household_id"])
        demand = ds.dataset(market / "daily_demand", partitioning="hive").to_table(
            columns=["pickup_point_id", "product_id", "date"]).to_pandas()
        stats = demand.groupby(["pickup_point_id", "product_id"])["date"].agg(["size", "max"])
        last_day = stats["max"].max()
        usable = stats[(stats["size"] >= min_history) & (stats["max"] == last_day)]
        points = pd.read_parquet(market / "pickup_points.parquet")
        depot = pd.read_parquet(market / "warehouses.parquet").iloc[0]
        return cls(
            households=tuple(int(h) for h in households["household_id"]),
            series=tuple((int(p), int(q)) for p, q in usable.index),
            pickup_points=tuple(
                {"id": int(r.pickup_point_id), "x": float(r.x_km), "y": float(r.y_km),
                 "ready_time": float(r.opens_minute), "due_time": float(r.closes_minute)}
                for r in points.itertuples()),
            depot={"x": float(depot.x_km), "y": float(depot.y_km),
                   "ready_time": float(depot.dispatch_minute), "due_time": 1440.0},
        )


def recommend_body(catalog: Catalog, rng: random.Random, k: int = 10) -> Body:
    """A known household's top-k, every tenth request filtered to a scene."""
    body: dict[str, Any] = {"user_id": rng.choice(catalog.households), "k": k}
    if rng.random() < 0.1:
        body["scene"] = rng.choice(SCENES)
    return "POST", "/v1/recommend", body


def forecast_body(catalog: Catalog, rng: random.Random, n_series: int = 100,
                  horizon: int = 7) -> Body:
    """``n_series`` distinct series, ``horizon`` days, ordering at a 90% service level."""
    if n_series > len(catalog.series):
        raise ValueError(f"n_series={n_series} but the market has {len(catalog.series)} series")
    picked = rng.sample(catalog.series, n_series)
    return "POST", "/v1/forecast", {
        "series": [{"location_id": p, "product_id": q} for p, q in picked],
        "horizon": horizon, "ordering": {"service_level": 0.9},
    }


def route_body(catalog: Catalog, rng: random.Random, n_stops: int = 8,
               time_limit_s: float = 1.0) -> Body:
    """Next-morning delivery to ``n_stops`` pickup points: demand 20-80 units, 10 min service,
    3 vehicles of 400 units at 0.5 km/min (30 km/h), the solver stopped after 1 s."""
    stops = [dict(p, demand=float(rng.randint(20, 80)), service_time=10.0)
             for p in rng.sample(catalog.pickup_points, min(n_stops, len(catalog.pickup_points)))]
    return "POST", "/v1/route", {
        "depot": dict(catalog.depot, id="depot"), "stops": stops,
        "vehicles": {"count": 3, "capacity": 400.0}, "speed": 0.5,
        "time_limit_s": time_limit_s, "objective": "distance",
    }


def factory_for(endpoint: str, catalog: Catalog, n_series: int = 100,
                n_stops: int = 8) -> Callable[[random.Random], Body]:
    """The request factory of ``endpoint`` (recommend, forecast, route, models, healthz)."""
    factories: dict[str, Callable[[random.Random], Body]] = {
        "recommend": lambda rng: recommend_body(catalog, rng),
        "forecast": lambda rng: forecast_body(catalog, rng, n_series),
        "route": lambda rng: route_body(catalog, rng, n_stops),
        "models": lambda rng: ("GET", "/v1/models", None),
        "healthz": lambda rng: ("GET", "/healthz", None),
    }
    if endpoint not in factories:
        raise ValueError(f"unknown endpoint {endpoint!r}; expected one of {sorted(factories)}")
    return factories[endpoint]
