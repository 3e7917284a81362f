"""Next-morning delivery problems built from a purchase list and a pickup-point table.

The purchase list (:data:`~groupbuy_ml.data.schemas.purchase_list.purchase_list_schema`) gives
units per pickup point (per date); the pickup points
(:data:`~groupbuy_ml.data.schemas.purchase_list.routing_pickup_points_schema`) give positions in
km and receiving windows in minutes after midnight. Vehicles leave the warehouse at its dispatch
minute and drive at ``speed_kmh``, so every time in the problem is in minutes and every distance
in km.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.data.schemas.purchase_list import (
    purchase_list_schema,
    routing_pickup_points_schema,
)
from groupbuy_ml.data.validation import validate
from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.routing.problem import Problem, VehicleType, from_stops

DEPOT_ID = -1
"""``stop_id`` of the warehouse in problems built here (pickup-point ids are >= 0)."""


def from_purchase_list(
    purchase_list: pd.DataFrame,
    pickup_points: pd.DataFrame,
    *,
    vehicles: VehicleType | list[VehicleType] | None = None,
    depot_xy: tuple[float, float] = (0.0, 0.0),
    depot_lat_lon: tuple[float, float] | None = None,
    dispatch_minute: float = 300.0,
    return_by_minute: float = 1440.0,
    date: object | None = None,
    speed_kmh: float = 30.0,
    service_minutes: float = 10.0,
    metric: str = "euclidean",
    name: str = "purchase_list",
) -> Problem:
    """A :class:`~groupbuy_ml.routing.problem.Problem` with one stop per pickup point with units.

    Args:
        purchase_list: ``pickup_point_id, units`` (``demand`` accepted for ``units``); rows are
            summed per pickup point; with ``date`` given, only rows of that ``date``.
        pickup_points: ``pickup_point_id, x_km, y_km, opens_minute, closes_minute`` (optional
            ``lat, lon, service_minutes``).
        vehicles: the fleet (default: as many 800-unit vans as stops).
        depot_xy, depot_lat_lon: the warehouse position (lat/lon needed for haversine).
        dispatch_minute, return_by_minute: the drivers' shift at the warehouse.
        speed_kmh: travel speed; travel minutes = km / speed * 60.
        service_minutes: unloading time where ``pickup_points`` has no ``service_minutes``.
        metric: ``"euclidean"`` on km coordinates or ``"haversine"`` on lat/lon.

    Raises:
        DataValidationError: a table breaks its schema (names the column and rows).
        ValueError: unknown pickup points, no units for the date, or a bad fleet/metric.
    """
    purchases = purchase_list.rename(columns={"demand": "units"}) \
        if "units" not in purchase_list.columns else purchase_list
    if date is not None:
        if "date" not in purchases.columns:
            raise ConfigError("date given but the purchase list has no 'date' column")
        purchases = purchases[pd.to_datetime(purchases["date"]) == pd.Timestamp(date)]
    validate(purchases, purchase_list_schema, source="purchase_list")
    validate(pickup_points, routing_pickup_points_schema, source="pickup_points")
    units = purchases.groupby("pickup_point_id")["units"].sum()
    units = units[units > 0]
    if units.empty:
        raise InvalidDataError(f"the purchase list has no units to deliver{_on(date)}")
    points = pickup_points.set_index("pickup_point_id")
    unknown = units.index.difference(points.index)
    if len(unknown):
        raise InvalidDataError(f"purchase list names pickup_point_id {list(unknown[:5])} missing "
                               "from the pickup-point table; add them or drop those rows")
    points = points.loc[units.index]
    service = points.get("service_minutes", service_minutes)
    stops = pd.DataFrame({
        "stop_id": units.index.to_numpy(),
        "x": points["x_km"].to_numpy(float), "y": points["y_km"].to_numpy(float),
        "demand": units.to_numpy(float),
        "ready_time": points["opens_minute"].to_numpy(float),
        "due_time": points["closes_minute"].to_numpy(float),
        "service_time": np.broadcast_to(np.asarray(service, dtype=float), len(units)).copy(),
    })
    has_lat_lon = {"lat", "lon"} <= set(points.columns) and depot_lat_lon is not None
    if metric == "haversine" and not has_lat_lon:
        raise ConfigError("metric='haversine' needs depot_lat_lon and lat/lon columns in "
                          "pickup_points")
    if has_lat_lon:
        stops["lat"], stops["lon"] = points["lat"].to_numpy(), points["lon"].to_numpy()
    depot = {"stop_id": DEPOT_ID, "x": depot_xy[0], "y": depot_xy[1], "demand": 0.0,
             "ready_time": float(dispatch_minute), "due_time": float(return_by_minute),
             "service_time": 0.0}
    if has_lat_lon:
        depot["lat"], depot["lon"] = depot_lat_lon
    table = pd.concat([pd.DataFrame([depot]), stops], ignore_index=True)
    fleet = vehicles if vehicles is not None else VehicleType(count=len(stops), capacity=800)
    return from_stops(table, fleet, name=name, metric=metric, speed=speed_kmh / 60.0)


def from_market(market_dir: Path | str, date: object | None = None, **kwargs: object) -> Problem:
    """The delivery problem of one order ``date`` of a simulated market (default: the last).

    Uses ``warehouses`` (depot position and dispatch minute), ``pickup_points`` and the
    ``units`` of ``daily_demand`` on that date (delivered the next morning).
    """
    from groupbuy_ml.data.market import load_market_table

    warehouse = load_market_table(market_dir, "warehouses").iloc[0]
    points = load_market_table(market_dir, "pickup_points")
    demand = load_market_table(market_dir, "daily_demand",
                               columns=["date", "pickup_point_id", "units"])
    day = pd.Timestamp(date) if date is not None else demand["date"].max()
    if not (demand["date"] == day).any():
        raise ConfigError(f"date {day.date()} is not in {market_dir}/daily_demand; pick one "
                          f"between {demand['date'].min().date()} and "
                          f"{demand['date'].max().date()}")
    kwargs.setdefault("dispatch_minute", float(warehouse["dispatch_minute"]))
    kwargs.setdefault("depot_xy", (float(warehouse["x_km"]), float(warehouse["y_km"])))
    kwargs.setdefault("depot_lat_lon", (float(warehouse["lat"]), float(warehouse["lon"])))
    kwargs.setdefault("name", f"market-{day.date()}")
    return from_purchase_list(demand, points, date=day, **kwargs)


def _on(date: object | None) -> str:
    return "" if date is None else f" on {date}"
