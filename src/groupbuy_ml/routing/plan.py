"""A delivery plan: routes with per-stop arrival and service-start times, saved as JSON.

Times follow the Solomon (1987) convention: a vehicle leaves the depot at its shift start, arrives
at a stop, waits until ``ready_time`` if early, serves for ``service_time`` and drives on; the
total distance is recomputed from the problem's (unrounded) distance matrix, never taken from a
solver's scaled integer objective.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from groupbuy_ml.routing.problem import Problem


@dataclass(frozen=True)
class Route:
    """One vehicle's tour (the depot at both ends is implied).

    Attributes:
        vehicle: vehicle number (0-based, numbered type by type).
        stops: stop positions in the problem (1..n), in visiting order.
        arrival: arrival time at each stop.
        start: service start at each stop (``max(arrival, ready_time)``).
        departure: time the vehicle leaves the depot.
        end: time the vehicle is back at the depot.
        load: total demand delivered.
        distance: route length.
    """

    vehicle: int
    stops: tuple[int, ...]
    arrival: tuple[float, ...]
    start: tuple[float, ...]
    departure: float
    end: float
    load: float
    distance: float


@dataclass(frozen=True)
class Plan:
    """The answer of a solver.

    Attributes:
        problem_name: name of the problem solved.
        routes: non-empty routes only.
        dropped: stop positions left out (only when dropping at a penalty was allowed).
        stop_ids: ``stop_id`` of every position (index 0 = depot), for reporting.
        stats: solver facts (backend, wall seconds, time limit, overshoot, ...).
    """

    problem_name: str
    routes: tuple[Route, ...]
    dropped: tuple[int, ...] = ()
    stop_ids: tuple[Any, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def num_vehicles(self) -> int:
        """Vehicles used (non-empty routes)."""
        return len(self.routes)

    @property
    def total_distance(self) -> float:
        """Sum of route lengths (unrounded)."""
        return float(sum(r.distance for r in self.routes))

    @property
    def score(self) -> tuple[int, int, float]:
        """Lexicographic score of the literature: (dropped stops, vehicles, distance)."""
        return (len(self.dropped), self.num_vehicles, self.total_distance)

    def arrival_times(self) -> dict[Any, float]:
        """``stop_id -> arrival time`` over every visited stop."""
        ids = self.stop_ids
        return {ids[s] if ids else s: t for r in self.routes for s, t in
                zip(r.stops, r.arrival, strict=True)}

    def route_lists(self) -> list[list[int]]:
        """Routes as plain lists of stop positions."""
        return [list(r.stops) for r in self.routes]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (stop ids included next to positions)."""
        ids = self.stop_ids

        def sid(pos: int) -> Any:
            value = ids[pos] if ids else pos
            return value.item() if isinstance(value, np.generic) else value

        routes = []
        for r in self.routes:
            item = asdict(r)
            item["stop_ids"] = [sid(s) for s in r.stops]
            routes.append(item)
        return {
            "problem": self.problem_name,
            "num_vehicles": self.num_vehicles,
            "total_distance": self.total_distance,
            "dropped": [sid(s) for s in self.dropped],
            "routes": routes,
            "stats": _plain(self.stats),
        }

    def write_json(self, path: Path | str) -> Path:
        """Write :meth:`to_dict` to ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return path

    @classmethod
    def read_json(cls, path: Path | str, problem: Problem) -> Plan:
        """Read a plan written by :meth:`write_json` and recompute its times on ``problem``."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        routes = [(r["vehicle"], r["stops"]) for r in data["routes"]]
        dropped = list(np.flatnonzero(problem.stops["stop_id"].isin(data["dropped"])))
        return build_plan(problem, routes, dropped=dropped, stats=data.get("stats", {}))


def schedule(problem: Problem, vehicle: int, stops: Sequence[int]) -> Route:
    """Earliest-start timing of one route (waiting allowed, no check of the windows)."""
    ready, service = problem.array("ready_time"), problem.array("service_time")
    demand = problem.array("demand")
    try:
        t, _ = problem.shift(vehicle)
    except IndexError:  # an unknown vehicle: timed from the depot's opening (the validator says)
        t = float(problem.stops["ready_time"].iloc[0])
    departure, prev, dist = t, 0, 0.0
    arrival, start = [], []
    for s in stops:
        t += problem.duration[prev, s]
        dist += problem.distance[prev, s]
        arrival.append(float(t))
        t = max(t, ready[s])
        start.append(float(t))
        t += service[s]
        prev = s
    t += problem.duration[prev, 0]
    dist += problem.distance[prev, 0]
    return Route(vehicle=int(vehicle), stops=tuple(int(s) for s in stops), arrival=tuple(arrival),
                 start=tuple(start), departure=float(departure), end=float(t),
                 load=float(demand[list(stops)].sum()) if len(stops) else 0.0, distance=float(dist))


def build_plan(problem: Problem, routes: Sequence[tuple[int, Sequence[int]]],
               dropped: Sequence[int] = (), stats: dict[str, Any] | None = None) -> Plan:
    """A :class:`Plan` from ``(vehicle, stop positions)`` pairs; empty routes are skipped."""
    timed = tuple(schedule(problem, v, s) for v, s in routes if len(s))
    return Plan(problem_name=problem.name, routes=timed,
                dropped=tuple(sorted(int(d) for d in dropped)),
                stop_ids=tuple(problem.stops["stop_id"].tolist()), stats=dict(stats or {}))


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
