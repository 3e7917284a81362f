"""The morning's vans: each day's loads routed with the routing module's public ``solve``.

A pickup point's load is what the vans bring it that morning (supplier goods cross-docked at the
warehouse plus warehouse transfers); loads above one van are split into van-sized stops at the
same place. The CVRPTW (receiving windows, vans leaving at the warehouse's dispatch minute) is
solved by :func:`groupbuy_ml.routing.solve`, or by :func:`groupbuy_ml.routing.solve_decomposed`
above ``decompose_above`` stops. Routing every day is the expensive part of a run, so
``mode`` switches it: ``off`` (no km), ``fast`` (a short time limit; the default) or ``full``.
Stops no van can serve in time are dropped and counted, never hidden.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from groupbuy_ml.routing import VehicleType, from_stops, solve, solve_decomposed


class DeliveryConfig(BaseModel):
    """How the morning routes are planned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["off", "fast", "full"] = Field("fast", description="route every morning?")
    fast_time_limit_s: float = Field(0.3, gt=0, description="solver limit per morning (fast)")
    full_time_limit_s: float = Field(10.0, gt=0, description="solver limit per morning (full)")
    decompose_above: int = Field(150, ge=2, description="cluster and solve in parallel above "
                                 "this many stops")
    van_capacity: float = Field(800.0, gt=0, description="units per van")
    speed_kmh: float = Field(30.0, gt=0)
    service_minutes: float = Field(10.0, ge=0, description="unloading time per stop")
    backend: Literal["ortools", "pyvrp"] = "ortools"

    @property
    def time_limit_s(self) -> float:
        return self.fast_time_limit_s if self.mode == "fast" else self.full_time_limit_s


def route_morning(loads: np.ndarray, pickup_points: pd.DataFrame, warehouse: pd.Series,
                  cfg: DeliveryConfig, seed: int = 0) -> dict[str, float]:
    """Route one morning's ``loads`` (P,) units per pickup point.

    Returns ``delivery_km``, ``vans``, ``stops`` and ``dropped_stops`` (NaN km when off).
    """
    nan = {"delivery_km": float("nan"), "vans": float("nan"), "stops": 0.0,
           "dropped_stops": 0.0}
    if cfg.mode == "off":
        return nan
    points = pickup_points.set_index("pickup_point_id")
    load = pd.Series(np.asarray(loads, np.float64), index=points.index[:len(loads)])
    load = load[load > 0]
    if load.empty:
        return {**nan, "delivery_km": 0.0, "vans": 0.0}
    pieces = np.ceil(load / cfg.van_capacity).astype(int)
    rows = []
    for pid, units in load.items():
        n = int(pieces[pid])
        p = points.loc[pid]
        for k in range(n):
            share = units / n
            rows.append({"stop_id": f"{pid}" if n == 1 else f"{pid}.{k}",
                         "x": float(p["x_km"]), "y": float(p["y_km"]), "demand": share,
                         "ready_time": float(p["opens_minute"]),
                         "due_time": float(p["closes_minute"]),
                         "service_time": cfg.service_minutes})
    depot = {"stop_id": "warehouse", "x": float(warehouse["x_km"]), "y": float(warehouse["y_km"]),
             "demand": 0.0, "ready_time": float(warehouse["dispatch_minute"]),
             "due_time": 1440.0, "service_time": 0.0}
    stops = pd.DataFrame([depot, *rows])
    fleet = VehicleType(count=len(rows), capacity=cfg.van_capacity)
    problem = from_stops(stops, fleet, name="twin-morning", speed=cfg.speed_kmh / 60.0)
    if len(rows) > cfg.decompose_above:
        plan = solve_decomposed(problem, cfg.time_limit_s, backend=cfg.backend,
                                cluster_size=cfg.decompose_above, allow_drop=True, seed=seed)
    else:
        plan = solve(problem, cfg.time_limit_s, backend=cfg.backend, allow_drop=True, seed=seed)
    return {"delivery_km": float(plan.total_distance), "vans": float(plan.num_vehicles),
            "stops": float(len(rows)), "dropped_stops": float(len(plan.dropped))}
