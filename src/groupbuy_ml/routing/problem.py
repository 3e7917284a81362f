"""The delivery problem: one depot, stops with demand and time windows, a fleet, and a metric.

This is the capacitated vehicle routing problem with time windows (CVRPTW) of Solomon (1987):
every stop is visited once by one vehicle, a vehicle's load never exceeds its capacity, service
at a stop starts inside ``[ready_time, due_time]`` (waiting is allowed) and every route leaves the
depot and returns to it within the vehicle's shift. Travel time between two stops is
``distance / speed`` (Solomon: speed 1, so time = Euclidean distance, unrounded).

Index 0 of every array is the depot; stops ``1..n`` are the customers (pickup points).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, InvalidDataError

EARTH_RADIUS_KM = 6371.0088
STOP_COLUMNS = ["stop_id", "x", "y", "demand", "ready_time", "due_time", "service_time"]


@dataclass(frozen=True)
class VehicleType:
    """``count`` identical vehicles.

    Attributes:
        count: vehicles available (>= 1).
        capacity: load limit, same unit as the stops' ``demand``.
        shift_start, shift_end: earliest departure from / latest return to the depot (``None``:
            the depot's own window).
        fixed_cost: cost of using one vehicle (used by ``objective="cost"``).
        cost_per_distance: cost per unit of distance (``objective="cost"``).
    """

    count: int
    capacity: float
    shift_start: float | None = None
    shift_end: float | None = None
    fixed_cost: float = 0.0
    cost_per_distance: float = 1.0


@dataclass(frozen=True)
class Problem:
    """A CVRPTW instance with a single depot (row 0 of :attr:`stops`).

    Build one with :func:`from_stops`, :func:`from_solomon`, :func:`read_solomon` or
    :func:`groupbuy_ml.routing.purchase_list.from_purchase_list`; they validate the input.

    Attributes:
        name: instance name.
        stops: the routing stops table (``stop_id, x, y, demand, ready_time, due_time,
            service_time``), row 0 the depot, positional index ``0..n``.
        vehicle_types: the fleet.
        distance: ``(n+1, n+1)`` distance matrix (float).
        duration: ``(n+1, n+1)`` travel-time matrix (float, same time unit as the windows).
        metric: how ``distance`` was made (``"euclidean"``, ``"haversine"`` or ``"matrix"``).
        speed: distance units per time unit.
        shift_overrides: ``(vehicle, start, end)`` shifts replacing the type's (a late vehicle).
    """

    name: str
    stops: pd.DataFrame
    vehicle_types: tuple[VehicleType, ...]
    distance: np.ndarray = field(repr=False)
    duration: np.ndarray = field(repr=False)
    metric: str = "euclidean"
    speed: float = 1.0
    shift_overrides: tuple[tuple[int, float, float], ...] = ()

    @property
    def num_stops(self) -> int:
        """Customers (the depot not counted)."""
        return len(self.stops) - 1

    @property
    def num_vehicles(self) -> int:
        """Vehicles available across all types."""
        return sum(v.count for v in self.vehicle_types)

    @property
    def horizon(self) -> float:
        """Depot's due time: the latest return to the depot."""
        return float(self.stops["due_time"].iloc[0])

    def vehicle_type_of(self, vehicle: int) -> VehicleType:
        """The type of vehicle number ``vehicle`` (vehicles are numbered type by type)."""
        for vt in self.vehicle_types:
            if vehicle < vt.count:
                return vt
            vehicle -= vt.count
        raise IndexError(f"vehicle {vehicle} does not exist; the fleet has {self.num_vehicles}")

    def shift(self, vehicle: int) -> tuple[float, float]:
        """(earliest departure, latest return) of ``vehicle``."""
        for v, start, end in self.shift_overrides:
            if v == vehicle:
                return float(start), float(end)
        vt = self.vehicle_type_of(vehicle)
        depot = self.stops.iloc[0]
        start = float(depot["ready_time"]) if vt.shift_start is None else float(vt.shift_start)
        end = float(depot["due_time"]) if vt.shift_end is None else float(vt.shift_end)
        return start, end

    def array(self, column: str) -> np.ndarray:
        """A stops column as a float array (index 0 = depot)."""
        return self.stops[column].to_numpy(dtype=float)

    def subproblem(self, indices: Sequence[int], vehicles: int | None = None,
                   name: str | None = None) -> Problem:
        """The problem restricted to the depot plus stop ``indices`` (positions in this problem).

        The sub-problem's stop ``k`` (k >= 1) is this problem's ``indices[k-1]``; ``vehicles``
        caps the fleet (types are kept in order, counts trimmed). Shift overrides of the
        vehicles kept stay (a late vehicle stays late).
        """
        keep = np.concatenate([[0], np.asarray(indices, dtype=int)])
        types = self.vehicle_types
        if vehicles is not None:
            left, trimmed = vehicles, []
            for vt in types:
                take = min(vt.count, left)
                if take > 0:
                    trimmed.append(replace(vt, count=take))
                left -= take
            types = tuple(trimmed)
        return Problem(
            name=name or f"{self.name}[{len(indices)}]",
            stops=self.stops.iloc[keep].reset_index(drop=True),
            vehicle_types=types,
            distance=self.distance[np.ix_(keep, keep)],
            duration=self.duration[np.ix_(keep, keep)],
            metric=self.metric,
            speed=self.speed,
            shift_overrides=tuple(o for o in self.shift_overrides
                                  if o[0] < sum(vt.count for vt in types)),
        )


def euclidean_matrix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Unrounded planar distances (the Solomon convention)."""
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    return np.sqrt(dx * dx + dy * dy)


def haversine_matrix(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distances in km between (lat, lon) points given in degrees."""
    phi, lam = np.radians(lat), np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi[:, None]) * np.cos(phi[None, :]) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def from_stops(
    stops: pd.DataFrame,
    vehicle_types: Sequence[VehicleType] | VehicleType,
    *,
    name: str = "problem",
    metric: str = "euclidean",
    distance: np.ndarray | None = None,
    speed: float = 1.0,
    lat_lon: tuple[str, str] = ("lat", "lon"),
) -> Problem:
    """Build and validate a :class:`Problem` from a stops table (row 0 = depot).

    Args:
        stops: columns ``stop_id, x, y, demand, ready_time, due_time, service_time``.
        vehicle_types: the fleet (one type or several).
        metric: ``"euclidean"`` on ``x, y``; ``"haversine"`` on the ``lat_lon`` columns (km);
            ``"matrix"`` to use ``distance`` as given.
        distance: a ``(n+1, n+1)`` matrix, required for ``metric="matrix"``.
        speed: distance units per time unit; travel time = distance / speed.

    Raises:
        ValueError: naming the stop (``stop_id``) or vehicle type and the fix.
    """
    types = (vehicle_types,) if isinstance(vehicle_types, VehicleType) else tuple(vehicle_types)
    _check_fleet(types)
    stops = _check_stops(stops)
    if metric == "euclidean":
        matrix = euclidean_matrix(stops["x"].to_numpy(float), stops["y"].to_numpy(float))
    elif metric == "haversine":
        missing = [c for c in lat_lon if c not in stops.columns]
        if missing:
            raise InvalidDataError(f"metric='haversine' needs columns {list(lat_lon)}; missing "
                                   f"{missing}")
        matrix = haversine_matrix(stops[lat_lon[0]].to_numpy(float),
                                  stops[lat_lon[1]].to_numpy(float))
    elif metric == "matrix":
        if distance is None:
            raise ConfigError("metric='matrix' needs distance=<(n+1, n+1) array>")
        matrix = np.asarray(distance, dtype=float)
        if matrix.shape != (len(stops), len(stops)):
            raise InvalidDataError(f"distance matrix has shape {matrix.shape}; expected "
                                   f"{(len(stops), len(stops))} (depot + {len(stops) - 1} stops)")
        if not np.isfinite(matrix).all() or (matrix < 0).any():
            raise InvalidDataError("distance matrix must be finite and non-negative")
    else:
        raise ConfigError(f"unknown metric {metric!r}; use 'euclidean', 'haversine' or 'matrix'")
    if speed <= 0:
        raise ConfigError(f"speed must be > 0 (distance units per time unit); got {speed}")
    return Problem(name=name, stops=stops, vehicle_types=types, distance=matrix,
                   duration=matrix / speed, metric=metric, speed=speed)


def from_solomon(instance: object) -> Problem:
    """A :class:`Problem` from a :class:`~groupbuy_ml.data.loaders.solomon.SolomonInstance`."""
    vt = VehicleType(count=int(instance.num_vehicles), capacity=float(instance.capacity))
    return from_stops(instance.stops, vt, name=str(instance.name))


def read_solomon(path: Path | str) -> Problem:
    """Read a Solomon-format file (Solomon 1987) into a :class:`Problem` (Euclidean, speed 1)."""
    from groupbuy_ml.data.loaders.solomon import read_solomon as read_instance

    return from_solomon(read_instance(path))


def _check_fleet(types: tuple[VehicleType, ...]) -> None:
    if not types or sum(v.count for v in types) < 1:
        raise ConfigError("the fleet has zero vehicles; give at least one VehicleType(count>=1)")
    for k, vt in enumerate(types):
        if vt.count < 0:
            raise ConfigError(f"vehicle type {k}: count={vt.count} is negative; use count >= 0")
        if not vt.capacity > 0:
            raise ConfigError(f"vehicle type {k}: capacity={vt.capacity} must be > 0")
        if vt.shift_start is not None and vt.shift_end is not None \
                and vt.shift_end < vt.shift_start:
            raise ConfigError(f"vehicle type {k}: shift_end={vt.shift_end} is before "
                              f"shift_start={vt.shift_start}; swap them or widen the shift")


def _check_stops(stops: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in STOP_COLUMNS if c not in stops.columns]
    if missing:
        raise InvalidDataError(f"stops table lacks columns {missing}; expected {STOP_COLUMNS}")
    if len(stops) < 1:
        raise InvalidDataError("stops table is empty; row 0 must be the depot")
    stops = stops.reset_index(drop=True)
    ids = stops["stop_id"]
    if ids.duplicated().any():
        raise InvalidDataError(f"stop_id {ids[ids.duplicated()].tolist()[0]!r} appears more than "
                               "once; stop ids must be unique")
    for column in STOP_COLUMNS[1:]:
        values = pd.to_numeric(stops[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.fillna(0).to_numpy(float))
        if bad.any():
            sid = ids[bad].tolist()[0]
            raise InvalidDataError(f"stop {sid!r}: {column} is missing or not a finite number; "
                                   f"give every stop a numeric {column}")
    for column in ["demand", "ready_time", "due_time", "service_time"]:
        neg = stops[column].to_numpy(float) < 0
        if neg.any():
            sid, value = ids[neg].tolist()[0], stops[column][neg].tolist()[0]
            raise InvalidDataError(f"stop {sid!r}: {column}={value} is negative; use a value >= 0")
    closes_early = stops["due_time"].to_numpy(float) < stops["ready_time"].to_numpy(float)
    if closes_early.any():
        sid = ids[closes_early].tolist()[0]
        due, ready = (stops[c][closes_early].tolist()[0] for c in ("due_time", "ready_time"))
        raise InvalidDataError(f"stop {sid!r}: window closes before it opens "
                               f"(due_time={due} < ready_time={ready}); "
                               "swap them or widen the window")
    return stops
