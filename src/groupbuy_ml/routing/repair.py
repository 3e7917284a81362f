"""Re-routing: repair a plan after cancellations, added orders or a late vehicle.

Only the routes touched by a change are re-optimised, starting from their current order (the
other routes are kept exactly, so drivers already on the road are not disturbed): routes that lose
a cancelled stop, the late vehicle's route, and for each added stop the routes passing nearest to
it, plus one idle vehicle when the fleet has one. The sub-problem is solved by OR-Tools from the
current routes (a local re-optimisation in the sense of dynamic VRP, Pillac et al. 2013); a stop
that cannot fit is dropped and reported rather than failing the whole repair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, UnknownNameError
from groupbuy_ml.routing.plan import Plan, build_plan
from groupbuy_ml.routing.problem import Problem, from_stops
from groupbuy_ml.routing.solve import solve


def repair(
    problem: Problem,
    plan: Plan,
    *,
    cancelled: Sequence[object] = (),
    added: pd.DataFrame | None = None,
    late: Mapping[int, float] | None = None,
    time_limit_s: float = 5.0,
    neighbours: int = 2,
) -> tuple[Problem, Plan]:
    """Repair ``plan`` and return the changed problem with its new plan.

    Args:
        cancelled: ``stop_id`` of orders cancelled.
        added: new stops (stops schema: ``stop_id, x, y, demand, ready_time, due_time,
            service_time``), placed with the problem's own metric and speed.
        late: ``{vehicle: delay}``: the vehicle leaves the depot ``delay`` time units late.
        neighbours: routes considered for each added stop (nearest first).

    Raises:
        ValueError: unknown stop ids or vehicles, added stops on a given-matrix problem, or
            a mixed fleet.
    """
    if len(problem.vehicle_types) != 1:
        raise ConfigError("repair needs a single vehicle type (vehicle numbers are swapped)")
    late = dict(late or {})
    ids = problem.stops["stop_id"].tolist()
    unknown = [c for c in cancelled if c not in set(ids[1:])]
    if unknown:
        raise UnknownNameError(f"cancelled stop_id {unknown[:5]} not in the problem")
    bad = [v for v in late if not 0 <= v < problem.num_vehicles]
    if bad:
        raise UnknownNameError(f"late vehicle(s) {bad} not in the fleet of {problem.num_vehicles}")
    new_problem, old_to_new = _changed_problem(problem, cancelled, added, late, plan)
    added_pos = [p for p in range(1, new_problem.num_stops + 1) if p not in old_to_new.values()]
    routes = {r.vehicle: [old_to_new[s] for s in r.stops if old_to_new.get(s, -1) > 0]
              for r in plan.routes}
    touched = {r.vehicle for r in plan.routes if any(old_to_new.get(s, -1) < 0 for s in r.stops)}
    touched |= {v for v in late if v in routes}
    touched |= _near_routes(new_problem, routes, added_pos, neighbours)
    idle = [v for v in range(problem.num_vehicles) if v not in routes]
    vehicles = sorted(touched) + idle[:1]
    stops = [s for v in sorted(touched) for s in routes[v]] + added_pos
    kept = [(v, r) for v, r in routes.items() if v not in touched and r]
    if not stops:
        return new_problem, build_plan(new_problem, kept, stats={"repaired": []})
    where = {s: j + 1 for j, s in enumerate(stops)}
    sub = new_problem.subproblem(stops, vehicles=len(vehicles))
    sub = replace(sub, shift_overrides=tuple(
        (j, *new_problem.shift(v)) for j, v in enumerate(vehicles)))
    initial = [[where[s] for s in routes.get(v, [])] for v in vehicles]
    fixed = solve(sub, time_limit_s, "ortools", objective="vehicles", allow_drop=True,
                  initial_routes=initial)
    stops_arr = np.asarray(stops)
    new_routes = [(vehicles[r.vehicle], [int(stops_arr[s - 1]) for s in r.stops])
                  for r in fixed.routes]
    dropped = [int(stops_arr[s - 1]) for s in fixed.dropped]
    stats = {"repaired": sorted(touched), "kept": sorted(v for v, _ in kept),
             "dropped_reasons": fixed.stats.get("unservable", []), **{
                 k: fixed.stats[k] for k in ("wall_s", "time_limit_s") if k in fixed.stats}}
    return new_problem, build_plan(new_problem, kept + new_routes, dropped=dropped, stats=stats)


def _changed_problem(problem: Problem, cancelled: Sequence[object], added: pd.DataFrame | None,
                     late: Mapping[int, float], plan: Plan) -> tuple[Problem, dict[int, int]]:
    """The problem after the changes, and old position -> new position (-1: cancelled)."""
    gone = problem.stops["stop_id"].isin(list(cancelled)).to_numpy()
    gone[0] = False
    old_to_new, k = {}, 0
    for pos in range(len(problem.stops)):
        if gone[pos]:
            old_to_new[pos] = -1
        else:
            old_to_new[pos] = k
            k += 1
    keep = [p for p in range(1, len(problem.stops)) if not gone[p]]
    if added is not None and len(added):
        if problem.metric == "matrix":
            raise ConfigError("stops cannot be added to a problem built from a given distance "
                              "matrix; rebuild it with the new matrix")
        table = pd.concat([problem.stops.iloc[[0, *keep]], added], ignore_index=True)
        new = from_stops(table, problem.vehicle_types, name=problem.name,
                         metric=problem.metric, speed=problem.speed)
    else:
        new = problem.subproblem(keep, name=problem.name)
    overrides = {v: (s, e) for v, s, e in problem.shift_overrides}
    for v, delay in late.items():
        start, end = problem.shift(v)
        overrides[v] = (start + float(delay), end)
    new = replace(new, shift_overrides=tuple((v, s, e) for v, (s, e) in overrides.items()))
    return new, old_to_new


def _near_routes(problem: Problem, routes: Mapping[int, list[int]], added: Sequence[int],
                 neighbours: int) -> set[int]:
    near: set[int] = set()
    for s in added:
        gaps = sorted((problem.distance[s, r].min(), v) for v, r in routes.items() if r)
        near |= {v for _, v in gaps[:neighbours]}
    return near
